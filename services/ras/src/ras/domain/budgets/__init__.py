"""Personal budgets: costing the support plan, who agrees it, reviews and transitional protection."""
