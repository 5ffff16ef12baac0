"""The evaluation score of a case (處置效果評估): components computed from the case's own data, each explained."""
