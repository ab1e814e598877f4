"""Checks that give precise feedback on lab exercises, one module per lab (``lab01``, ...).

``call_student(label, func, *args)`` runs a student's function the way checks do: an
unimplemented exercise or a crash becomes one clear sentence instead of a traceback. ``student_or_reference(check, mine, reference)`` returns the
student's function if its check passes, else the reference, so a lab runs on.
"""
from course_utils._feedback import CheckFailed, call_student, student_or_reference

__all__ = ["CheckFailed", "call_student", "student_or_reference"]
