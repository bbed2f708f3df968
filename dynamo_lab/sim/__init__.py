"""The deterministic substrate: clock, scheduler, network, faults, randomness.

Nothing in this package knows about Dynamo or DynamoDB.
"""
from .faults import FaultSchedule
from .kernel import Kernel, Timer
from .network import LatencyModel, Message, Network
from .rand import derive, make_rng
from .simulation import Periodic, Simulation

__all__ = ["Simulation", "Kernel", "Timer", "Network", "LatencyModel", "Message",
           "FaultSchedule", "Periodic", "make_rng", "derive"]
