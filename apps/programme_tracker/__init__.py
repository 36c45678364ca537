"""Programme Tracker: the register and early-warning system for the Rapporteur's funded measures."""
