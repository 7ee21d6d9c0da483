"""The demo tambon: a deterministic, realistic data set for trying Chumchon (`chumchon demo`)."""
