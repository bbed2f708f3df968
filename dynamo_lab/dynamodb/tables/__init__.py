"""Tables: a table's items, indexes and layout on partitions.

:mod:`.table` holds :class:`~.table.Table` and its secondary indexes;
:mod:`.layout` places a table on partitions with their capacity and splits
them; :mod:`.lookup` finds a table for a request (DynamoDB's own
not-found errors); :mod:`.propagation` carries changes to global secondary
indexes asynchronously.

May import: :mod:`dynamo_lab.dynamodb.capacity`,
:mod:`dynamo_lab.dynamodb.partitions`, the model and the service's leaves
(``errors``, ``options``, ``state``, ``commit``).
"""
