"""athena's lookups that answer 404 in athena's words when a patient or thread is unknown."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from patientmsg.mockserver.state import fits_sqlite
from patientmsg.mockserver.vendor_errors import ApiError

__all__ = ["Patient", "Thread", "patient_or_404", "thread_or_404", "threads_by_id"]

_THREAD_COLUMNS = "messagethreadid, subject, messagetype, status, isread, last_at"


@dataclass(frozen=True)
class Patient:
    practiceid: int
    patientid: int
    enterpriseid: int
    name: str


@dataclass(frozen=True)
class Thread:
    messagethreadid: int
    subject: str
    messagetype: str
    status: str
    isread: bool
    last_at: str


def patient_or_404(conn: sqlite3.Connection, practiceid: int, patientid: int) -> Patient:
    row = None
    if fits_sqlite(patientid):
        row = conn.execute(
            "SELECT enterpriseid, firstname, lastname FROM athena_patient"
            " WHERE practiceid = ? AND patientid = ?",
            (practiceid, patientid),
        ).fetchone()
    if row is None:
        raise ApiError(404, "Invalid patient.", detail="The patient ID does not exist in this practice.")
    return Patient(practiceid, patientid, row[0], f"{row[1]} {row[2]}")


def thread_or_404(conn: sqlite3.Connection, patient: Patient, messagethreadid: int) -> Thread:
    row = None
    if fits_sqlite(messagethreadid):
        row = conn.execute(
            f"SELECT {_THREAD_COLUMNS} FROM athena_thread"
            " WHERE messagethreadid = ? AND practiceid = ? AND patientid = ?",
            (messagethreadid, patient.practiceid, patient.patientid),
        ).fetchone()
    if row is None:
        raise ApiError(
            404, "Invalid message thread.", detail="The message thread ID does not exist for this patient."
        )
    return Thread(row[0], row[1], row[2], row[3], bool(row[4]), row[5])


def threads_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Thread]:
    """The threads with these ids, in the order given (ids a list query just returned)."""
    rows = conn.execute(
        f"SELECT {_THREAD_COLUMNS} FROM athena_thread WHERE messagethreadid IN ({','.join('?' * len(ids))})",
        ids,
    )
    found = {row[0]: Thread(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) for row in rows}
    return [found[tid] for tid in ids]
