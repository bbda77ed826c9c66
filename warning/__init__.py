"""Warning: enterprise profiles, rules, matching and alerts."""
