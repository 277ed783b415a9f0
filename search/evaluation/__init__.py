"""Retrieval evaluation on labelled data: loaders, metrics, runs and reports.

``datasets`` loads MultiHop-RAG and BEIR layouts, ``metrics`` holds the dataset's strict
evidence metrics, ``ir_metrics`` the standard ones (via ir-measures), ``runner`` asks and scores,
``workspace`` keeps indexes for re-use and ``report`` prints. The command is ``newsdesk eval``
(``api/eval_command.py``).
"""
