"""The suite's own tests: the harness's behaviour, and planted regressions proving each spec can fail."""
