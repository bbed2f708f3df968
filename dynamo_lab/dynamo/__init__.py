"""The Dynamo paper's store engine (DeCandia et al., SOSP 2007).

One idea per module, named after the paper:

========================  ===================================================
``hashing``, ``ring*``    consistent hashing, tokens, preference lists (4.2, 4.3, 6.2)
``vclock``                vector clocks, versions, reconciliation (4.4)
``storage``               memory and SQLite stores, write buffer, hints kept apart (6.1)
``node``                  a storage node: replica writes, its view of the preference list
``coordinator``           the get/put request state machine, read repair (4.5, 5)
``handoff``               hinted handoff and admission control (4.6, 6.5)
``merkle``, ``antientropy``  Merkle trees per key range and their exchange (4.7)
``membership``            gossip, seeds, local failure detection (4.8)
``transfer``              key range transfer on join and leave (4.9)
``client``                results, server- and client-driven coordination (6.4)
``cluster``, ``observe``  :class:`DynamoCluster` and what it holds
========================  ===================================================

``dynamo_lab.DynamoCluster`` and ``dynamo_lab.Ring`` load these lazily.
"""

__all__: list = []
