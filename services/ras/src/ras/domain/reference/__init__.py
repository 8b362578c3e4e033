"""The council's RAS datasets as the domain reads them: model, rate card, budget rules."""
