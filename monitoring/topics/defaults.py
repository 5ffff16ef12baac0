"""Defaults of the topic clustering, which bench/topics_quality.py measures."""

# The cosine a post needs to its closest topic's centroid to join it. Short posts share few words: on the mixed CED and
# RumourEval stream 0.1 beat 0.15, 0.2 and 0.3 on ARI and on the English events (bench/topics_quality.py).
THRESHOLD = 0.1
# A topic no post joined for this long is closed to new posts (a reply still follows its root into it).
ACTIVE_HOURS = 72
# Two live topics whose centroids come this close become one.
MERGE_THRESHOLD = 0.6
