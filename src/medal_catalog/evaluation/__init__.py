"""Scoring a task's predictions against its label table: the metrics (scikit-learn, scipy), percentile bootstrap
confidence intervals, prediction files and their checks, and the leaderboard's ranking (issue 27)."""
