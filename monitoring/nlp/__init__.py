"""Text analysis of social posts: normalisation, language, segmentation, sentiment and emotion."""

from monitoring.nlp.pipeline import Analyzer, TextAnalysis, get_analyzer

__all__ = ["Analyzer", "TextAnalysis", "get_analyzer"]
