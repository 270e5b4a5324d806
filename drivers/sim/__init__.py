"""The simulated GSM network and handset (a real AT peer on a pseudo-terminal) and its GPS.

``start_simulator(scenario, family=...)`` is the entry point; see ``server.py``. Modules:
``scenario`` (load + validate scenario files), ``world`` (propagation, antenna pattern,
shadowing, interference), ``movement`` (route / fixed point, simulation clock), ``calls`` (call
model, per-TRX faults, audio verdicts), ``engine`` (camping, measurements, handover),
``dialects`` (per-family reply formats as data), ``handset`` (the AT interpreter), ``pty``
(pseudo-terminal and in-memory servers), ``gps`` (NMEA GGA/RMC generator).
"""

from drivers.sim.scenario import Scenario, ScenarioError, list_scenarios, load_scenario
from drivers.sim.server import SimulatorHandle, start_simulator

__all__ = ["Scenario", "ScenarioError", "SimulatorHandle", "list_scenarios", "load_scenario",
           "start_simulator"]
