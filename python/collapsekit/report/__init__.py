"""`collapsekit report`: readers, measures (through collapsekit._core), renderers, profiles.

The subpackage orchestrates only: every measure, interval and p-value is computed by the
C++ library (sample_drift_bootstrap, count_drift_bootstrap, budget_distinct and the
existing bindings); see collapsekit.cli for the command.
"""
