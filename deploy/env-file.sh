# shellcheck shell=bash
# load_env_file FILE: export the KEY="value" lines of /etc/mentoring/mentoring.env the way
# systemd's EnvironmentFile reads them (deploy/mentoring.env.example), without running anything:
# the file is read as data, never sourced. Lines starting with # or ; and empty lines are skipped;
# the double quotes around a value are removed. Sourced by deploy/upgrade.
load_env_file() {
    local file="$1" line key value
    while IFS= read -r line || [ -n "$line" ]; do
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line%"${line##*[![:space:]]}"}"
        case "$line" in '' | '#'* | ';'*) continue ;; esac
        key="${line%%=*}"
        if [[ "$line" != *=* || ! "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
            echo "$file: not a KEY=\"value\" line: $line" >&2
            return 1
        fi
        value="${line#*=}"
        if [[ ${#value} -ge 2 && "$value" == \"*\" ]]; then
            value="${value:1:${#value}-2}"
        elif [[ ${#value} -ge 2 && "$value" == \'*\' ]]; then
            value="${value:1:${#value}-2}"
        fi
        export "$key=$value"
    done <"$file"
}
