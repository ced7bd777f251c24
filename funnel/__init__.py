"""Funnel: a self-hosted sales funnel and follow-up system."""
