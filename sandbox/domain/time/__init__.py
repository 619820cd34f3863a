"""What happens to records over time, without a client asking (docs/architecture.md, "Domain and time").

policy: how each kind moves (clock, immediate, manual); schedule: which status follows which, after how many
working days; advance: takes the steps that are due; clock_control: the control API's clock moves;
scenarios: provider events a test triggers on one record; magic_values: inputs that force an outcome.
"""
