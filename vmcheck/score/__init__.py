"""Stage 5, score: findings weighed into category scores and a grade, and compared with a baseline."""
