"""The partnership's pages, one module per part: the page itself with goals, the meeting log and
recognition (partnership), the agreement and milestones (agreement), scheduled meetings
(meeting), certificates (certificate)."""
