"""3GPP TS 27.007 replies every family prints: +CSQ, +CESQ, +CREG/+CGREG/+CEREG, +COPS, +CLCC,
+CEER, +CPAS, RING/+CRING/+CLIP, and the final result codes. (Being written.)"""

from __future__ import annotations

from drivers.families.base import Family, register

GENERIC = register(Family(name="generic"))
