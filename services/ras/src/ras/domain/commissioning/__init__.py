"""Running the RAS as a council: the budget envelope, calibration and model comparison."""
