"""athena's last probe, imported last: what the run changed, looked at again after every other probe."""

from __future__ import annotations

from patientmsg.conformance.athena.probes.read_only import list_path, thread_path
from patientmsg.conformance.athena.probes.writes import LASTING, is_read, not_made, texts
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe

__all__ = ["LATER"]

# A change that lasts a handful of requests and then expires (a cache never written back) is still
# there right after it: the last look comes this many requests after the change, at the least.
LATER = 30
_READS = ("inboxmessages", "sentmessages", "archivedmessages")


@probe("athena", writes=True)
def athena_changes_last_to_the_end_of_the_run(ctx: ProbeContext) -> None:
    """Registered last: the lasting reply and lab-result read, after every other probe."""
    changes = ctx.memo(LASTING, not_made)
    # With --only, nothing else ran in between: ordinary reads fill the gap (bounded by LATER).
    for index in range(max(0, LATER - (ctx.sent - changes.sent_at))):
        ctx.get(list_path(ctx, _READS[index % len(_READS)]), params={"limit": 1})
    read = ctx.get(thread_path(ctx, changes.thread))
    ctx.checked(read)
    if not any(changes.text in t for t in texts(body_of(read))):
        ctx.fail(
            "athena reply gone from its thread by the end of the run",
            received=f"thread {changes.thread} without the reply {changes.text!r} at the end of the run",
            documented="a reply sent is part of its thread from then on",
            exchange=read,
        )
    if changes.lab is not None and is_read(ctx, changes.lab) is False:
        ctx.fail(
            "athena lab result unread again by the end of the run",
            received=f"isread false on thread {changes.lab} at the end of the run",
            documented="marklabresultread: the LabResult has been read",
        )
