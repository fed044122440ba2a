from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """The demo association (`seed_demo`) and the benchmarks (`bench_*`). Nothing imports it."""

    name = "devtools"
    verbose_name = "Demo and benchmarks"
