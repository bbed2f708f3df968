"""Typed requests and responses: a ``TypedDict`` for every input and output
shape of DynamoDB's and DynamoDB Streams' operations, in wire form.

GENERATED from botocore 1.44.18's service models by
:mod:`._gen_shapes` -- do not edit; run
``python -m dynamo_lab.dynamodb.model._gen_shapes`` after a botocore upgrade
(``tests/test_ddb_shapes.py`` fails until you do).

An operation's request is ``<Operation>Input`` and its response
``<Operation>Output``, e.g. ``def put_item(state, request: PutItemInput) ->
PutItemOutput``. Required members are those of the ``...Required`` base;
the rest are optional (``total=False``). Strings with an enum are
``Literal`` aliases named after their shape; a blob is base64 text and a
timestamp epoch seconds, as on the wire.

Examples
--------
>>> item: AttributeValue = {"S": "alice"}
>>> request: PutItemInput = {"TableName": "users", "Item": {"pk": item}}
>>> sorted(PutItemInput.__required_keys__)
['Item', 'TableName']
>>> "ReturnValues" in PutItemInput.__optional_keys__
True
"""
from __future__ import annotations

from typing import Literal, TypedDict

__all__ = [
    'ApproximateCreationDateTimePrecision',
    'ArchivalSummary',
    'AttributeAction',
    'AttributeDefinition',
    'AttributeValue',
    'AttributeValueUpdate',
    'AutoScalingPolicyDescription',
    'AutoScalingPolicyUpdate',
    'AutoScalingSettingsDescription',
    'AutoScalingSettingsUpdate',
    'AutoScalingTargetTrackingScalingPolicyConfigurationDescription',
    'AutoScalingTargetTrackingScalingPolicyConfigurationUpdate',
    'BackupDescription',
    'BackupDetails',
    'BackupStatus',
    'BackupSummary',
    'BackupType',
    'BackupTypeFilter',
    'BatchExecuteStatementInput',
    'BatchExecuteStatementOutput',
    'BatchGetItemInput',
    'BatchGetItemOutput',
    'BatchStatementError',
    'BatchStatementErrorCodeEnum',
    'BatchStatementRequest',
    'BatchStatementResponse',
    'BatchWriteItemInput',
    'BatchWriteItemOutput',
    'BillingMode',
    'BillingModeSummary',
    'BulkOperationBytes',
    'BulkOperationDescription',
    'BulkOperationInputFormat',
    'BulkOperationPerformanceTier',
    'BulkOperationStatus',
    'BulkOperationSummary',
    'BulkOperationTableDetail',
    'BulkOperationUsage',
    'BulkOperationVectorBytes',
    'CancelBulkOperationInput',
    'CancelBulkOperationOutput',
    'Capacity',
    'ComparisonOperator',
    'Condition',
    'ConditionCheck',
    'ConditionalOperator',
    'ConsumedCapacity',
    'ContinuousBackupsDescription',
    'ContinuousBackupsStatus',
    'ContributorInsightsAction',
    'ContributorInsightsMode',
    'ContributorInsightsStatus',
    'ContributorInsightsSummary',
    'CreateBackupInput',
    'CreateBackupOutput',
    'CreateGlobalSecondaryIndexAction',
    'CreateGlobalTableInput',
    'CreateGlobalTableOutput',
    'CreateGlobalTableWitnessGroupMemberAction',
    'CreateReplicaAction',
    'CreateReplicationGroupMemberAction',
    'CreateTableInput',
    'CreateTableOutput',
    'CreateVectorIndexAction',
    'CsvOptions',
    'Delete',
    'DeleteBackupInput',
    'DeleteBackupOutput',
    'DeleteGlobalSecondaryIndexAction',
    'DeleteGlobalTableWitnessGroupMemberAction',
    'DeleteItemInput',
    'DeleteItemOutput',
    'DeleteReplicaAction',
    'DeleteReplicationGroupMemberAction',
    'DeleteRequest',
    'DeleteResourcePolicyInput',
    'DeleteResourcePolicyOutput',
    'DeleteTableInput',
    'DeleteTableOutput',
    'DeleteVectorIndexAction',
    'DescribeBackupInput',
    'DescribeBackupOutput',
    'DescribeBulkOperationInput',
    'DescribeBulkOperationOutput',
    'DescribeContinuousBackupsInput',
    'DescribeContinuousBackupsOutput',
    'DescribeContributorInsightsInput',
    'DescribeContributorInsightsOutput',
    'DescribeEndpointsInput',
    'DescribeEndpointsOutput',
    'DescribeEndpointsRequest',
    'DescribeEndpointsResponse',
    'DescribeExportInput',
    'DescribeExportOutput',
    'DescribeGlobalTableInput',
    'DescribeGlobalTableOutput',
    'DescribeGlobalTableSettingsInput',
    'DescribeGlobalTableSettingsOutput',
    'DescribeImportInput',
    'DescribeImportOutput',
    'DescribeKinesisStreamingDestinationInput',
    'DescribeKinesisStreamingDestinationOutput',
    'DescribeLimitsInput',
    'DescribeLimitsOutput',
    'DescribeStreamInput',
    'DescribeStreamOutput',
    'DescribeTableInput',
    'DescribeTableOutput',
    'DescribeTableReplicaAutoScalingInput',
    'DescribeTableReplicaAutoScalingOutput',
    'DescribeTimeToLiveInput',
    'DescribeTimeToLiveOutput',
    'DestinationStatus',
    'DisableKinesisStreamingDestinationInput',
    'DisableKinesisStreamingDestinationOutput',
    'DisassociateReplicationGroupMemberAction',
    'DisassociationMode',
    'EnableKinesisStreamingConfiguration',
    'EnableKinesisStreamingDestinationInput',
    'EnableKinesisStreamingDestinationOutput',
    'Endpoint',
    'ExecuteStatementInput',
    'ExecuteStatementOutput',
    'ExecuteTransactionInput',
    'ExecuteTransactionOutput',
    'ExpectedAttributeValue',
    'ExportDescription',
    'ExportFormat',
    'ExportStatus',
    'ExportSummary',
    'ExportTableToPointInTimeInput',
    'ExportTableToPointInTimeOutput',
    'ExportType',
    'ExportViewType',
    'FailureException',
    'FilterSpecification',
    'Get',
    'GetItemInput',
    'GetItemOutput',
    'GetRecordsInput',
    'GetRecordsOutput',
    'GetResourcePolicyInput',
    'GetResourcePolicyOutput',
    'GetShardIteratorInput',
    'GetShardIteratorOutput',
    'GlobalSecondaryIndex',
    'GlobalSecondaryIndexAutoScalingUpdate',
    'GlobalSecondaryIndexDescription',
    'GlobalSecondaryIndexInfo',
    'GlobalSecondaryIndexUpdate',
    'GlobalSecondaryIndexWarmThroughputDescription',
    'GlobalTable',
    'GlobalTableDescription',
    'GlobalTableGlobalSecondaryIndexSettingsUpdate',
    'GlobalTableSettingsReplicationMode',
    'GlobalTableStatus',
    'GlobalTableWitnessDescription',
    'GlobalTableWitnessGroupUpdate',
    'Identity',
    'ImportStatus',
    'ImportSummary',
    'ImportTableDescription',
    'ImportTableInput',
    'ImportTableOutput',
    'IncrementalExportSpecification',
    'IndexStatus',
    'InputCompressionType',
    'InputFormat',
    'InputFormatOptions',
    'InputS3Configuration',
    'ItemCollectionMetrics',
    'ItemResponse',
    'KeySchemaElement',
    'KeyType',
    'KeysAndAttributes',
    'KinesisDataStreamDestination',
    'KinesisStreamingDestinationInput',
    'KinesisStreamingDestinationOutput',
    'ListBackupsInput',
    'ListBackupsOutput',
    'ListBulkOperationsInput',
    'ListBulkOperationsOutput',
    'ListContributorInsightsInput',
    'ListContributorInsightsOutput',
    'ListExportsInput',
    'ListExportsOutput',
    'ListGlobalTablesInput',
    'ListGlobalTablesOutput',
    'ListImportsInput',
    'ListImportsOutput',
    'ListStreamsInput',
    'ListStreamsOutput',
    'ListTablesInput',
    'ListTablesOutput',
    'ListTagsOfResourceInput',
    'ListTagsOfResourceOutput',
    'LocalSecondaryIndex',
    'LocalSecondaryIndexDescription',
    'LocalSecondaryIndexInfo',
    'MultiRegionConsistency',
    'OnDemandThroughput',
    'OnDemandThroughputOverride',
    'OperationType',
    'OutputS3Configuration',
    'OutputTypeEnum',
    'ParameterizedStatement',
    'PointInTimeRecoveryDescription',
    'PointInTimeRecoverySpecification',
    'PointInTimeRecoveryStatus',
    'Projection',
    'ProjectionType',
    'ProvisionedThroughput',
    'ProvisionedThroughputDescription',
    'ProvisionedThroughputOverride',
    'Put',
    'PutItemInput',
    'PutItemOutput',
    'PutRequest',
    'PutResourcePolicyInput',
    'PutResourcePolicyOutput',
    'QueryInput',
    'QueryOutput',
    'Record',
    'Replica',
    'ReplicaAutoScalingDescription',
    'ReplicaAutoScalingUpdate',
    'ReplicaDescription',
    'ReplicaGlobalSecondaryIndex',
    'ReplicaGlobalSecondaryIndexAutoScalingDescription',
    'ReplicaGlobalSecondaryIndexAutoScalingUpdate',
    'ReplicaGlobalSecondaryIndexDescription',
    'ReplicaGlobalSecondaryIndexSettingsDescription',
    'ReplicaGlobalSecondaryIndexSettingsUpdate',
    'ReplicaSettingsDescription',
    'ReplicaSettingsUpdate',
    'ReplicaStatus',
    'ReplicaUpdate',
    'ReplicationGroupUpdate',
    'RestoreSummary',
    'RestoreTableFromBackupInput',
    'RestoreTableFromBackupOutput',
    'RestoreTableToPointInTimeInput',
    'RestoreTableToPointInTimeOutput',
    'ReturnConsumedCapacity',
    'ReturnItemCollectionMetrics',
    'ReturnValue',
    'ReturnValuesOnConditionCheckFailure',
    'S3BucketSource',
    'S3SseAlgorithm',
    'SSEDescription',
    'SSESpecification',
    'SSEStatus',
    'SSEType',
    'ScalarAttributeType',
    'ScanInput',
    'ScanOutput',
    'SearchResultItem',
    'SearchSchemaElement',
    'SearchSchemaElementType',
    'SearchVectorsInput',
    'SearchVectorsOutput',
    'Select',
    'SequenceNumberRange',
    'Shard',
    'ShardFilter',
    'ShardFilterType',
    'ShardIteratorType',
    'SourceTableDetails',
    'SourceTableFeatureDetails',
    'StartBulkPutItemsInput',
    'StartBulkPutItemsOutput',
    'Stream',
    'StreamDescription',
    'StreamRecord',
    'StreamSpecification',
    'StreamStatus',
    'StreamViewType',
    'TableAutoScalingDescription',
    'TableClass',
    'TableClassSummary',
    'TableCreationParameters',
    'TableDescription',
    'TableStatus',
    'TableWarmThroughputDescription',
    'Tag',
    'TagResourceInput',
    'TagResourceOutput',
    'TimeToLiveDescription',
    'TimeToLiveSpecification',
    'TimeToLiveStatus',
    'TransactGetItem',
    'TransactGetItemsInput',
    'TransactGetItemsOutput',
    'TransactWriteItem',
    'TransactWriteItemsInput',
    'TransactWriteItemsOutput',
    'UntagResourceInput',
    'UntagResourceOutput',
    'Update',
    'UpdateContinuousBackupsInput',
    'UpdateContinuousBackupsOutput',
    'UpdateContributorInsightsInput',
    'UpdateContributorInsightsOutput',
    'UpdateGlobalSecondaryIndexAction',
    'UpdateGlobalTableInput',
    'UpdateGlobalTableOutput',
    'UpdateGlobalTableSettingsInput',
    'UpdateGlobalTableSettingsOutput',
    'UpdateItemInput',
    'UpdateItemOutput',
    'UpdateKinesisStreamingConfiguration',
    'UpdateKinesisStreamingDestinationInput',
    'UpdateKinesisStreamingDestinationOutput',
    'UpdateReplicationGroupMemberAction',
    'UpdateTableInput',
    'UpdateTableOutput',
    'UpdateTableReplicaAutoScalingInput',
    'UpdateTableReplicaAutoScalingOutput',
    'UpdateTimeToLiveInput',
    'UpdateTimeToLiveOutput',
    'VectorAttributeDefinition',
    'VectorCapacity',
    'VectorDistanceFunction',
    'VectorIndex',
    'VectorIndexDescription',
    'VectorIndexInfo',
    'VectorIndexUpdate',
    'WarmThroughput',
    'WitnessStatus',
    'WriteRequest',
]


class _BatchExecuteStatementInputRequired(TypedDict):
    Statements: list[BatchStatementRequest]


class BatchExecuteStatementInput(_BatchExecuteStatementInputRequired, total=False):
    ReturnConsumedCapacity: ReturnConsumedCapacity


class _BatchStatementRequestRequired(TypedDict):
    Statement: str


class BatchStatementRequest(_BatchStatementRequestRequired, total=False):
    Parameters: list[AttributeValue]
    ConsistentRead: bool
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class AttributeValue(TypedDict, total=False):
    S: str
    N: str
    B: str
    SS: list[str]
    NS: list[str]
    BS: list[str]
    M: dict[str, AttributeValue]
    L: list[AttributeValue]
    NULL: bool
    BOOL: bool


ReturnValuesOnConditionCheckFailure = Literal['ALL_OLD', 'NONE']


ReturnConsumedCapacity = Literal['INDEXES', 'TOTAL', 'NONE']


class BatchExecuteStatementOutput(TypedDict, total=False):
    Responses: list[BatchStatementResponse]
    ConsumedCapacity: list[ConsumedCapacity]


class BatchStatementResponse(TypedDict, total=False):
    Error: BatchStatementError
    TableName: str
    Item: dict[str, AttributeValue]


class BatchStatementError(TypedDict, total=False):
    Code: BatchStatementErrorCodeEnum
    Message: str
    Item: dict[str, AttributeValue]


BatchStatementErrorCodeEnum = Literal['ConditionalCheckFailed', 'ItemCollectionSizeLimitExceeded', 'RequestLimitExceeded', 'ValidationError', 'ProvisionedThroughputExceeded', 'TransactionConflict', 'ThrottlingError', 'InternalServerError', 'ResourceNotFound', 'AccessDenied', 'DuplicateItem']


class ConsumedCapacity(TypedDict, total=False):
    TableName: str
    CapacityUnits: float
    ReadCapacityUnits: float
    WriteCapacityUnits: float
    Table: Capacity
    LocalSecondaryIndexes: dict[str, Capacity]
    GlobalSecondaryIndexes: dict[str, Capacity]
    VectorIndexes: dict[str, VectorCapacity]


class Capacity(TypedDict, total=False):
    ReadCapacityUnits: float
    WriteCapacityUnits: float
    CapacityUnits: float


class VectorCapacity(TypedDict, total=False):
    VectorSearchRequestBytes: float
    VectorWriteRequestBytes: float


class _BatchGetItemInputRequired(TypedDict):
    RequestItems: dict[str, KeysAndAttributes]


class BatchGetItemInput(_BatchGetItemInputRequired, total=False):
    ReturnConsumedCapacity: ReturnConsumedCapacity


class _KeysAndAttributesRequired(TypedDict):
    Keys: list[dict[str, AttributeValue]]


class KeysAndAttributes(_KeysAndAttributesRequired, total=False):
    AttributesToGet: list[str]
    ConsistentRead: bool
    ProjectionExpression: str
    ExpressionAttributeNames: dict[str, str]


class BatchGetItemOutput(TypedDict, total=False):
    Responses: dict[str, list[dict[str, AttributeValue]]]
    UnprocessedKeys: dict[str, KeysAndAttributes]
    ConsumedCapacity: list[ConsumedCapacity]


class _BatchWriteItemInputRequired(TypedDict):
    RequestItems: dict[str, list[WriteRequest]]


class BatchWriteItemInput(_BatchWriteItemInputRequired, total=False):
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ReturnItemCollectionMetrics: ReturnItemCollectionMetrics


class WriteRequest(TypedDict, total=False):
    PutRequest: PutRequest
    DeleteRequest: DeleteRequest


class _PutRequestRequired(TypedDict):
    Item: dict[str, AttributeValue]


class PutRequest(_PutRequestRequired):
    pass


class _DeleteRequestRequired(TypedDict):
    Key: dict[str, AttributeValue]


class DeleteRequest(_DeleteRequestRequired):
    pass


ReturnItemCollectionMetrics = Literal['SIZE', 'NONE']


class BatchWriteItemOutput(TypedDict, total=False):
    UnprocessedItems: dict[str, list[WriteRequest]]
    ItemCollectionMetrics: dict[str, list[ItemCollectionMetrics]]
    ConsumedCapacity: list[ConsumedCapacity]


class ItemCollectionMetrics(TypedDict, total=False):
    ItemCollectionKey: dict[str, AttributeValue]
    SizeEstimateRangeGB: list[float]


class _CancelBulkOperationInputRequired(TypedDict):
    BulkOperationArn: str


class CancelBulkOperationInput(_CancelBulkOperationInputRequired):
    pass


class _CancelBulkOperationOutputRequired(TypedDict):
    BulkOperationArn: str
    BulkOperationStatus: BulkOperationStatus


class CancelBulkOperationOutput(_CancelBulkOperationOutputRequired):
    pass


BulkOperationStatus = Literal['IN_PROGRESS', 'COMPLETED', 'COMPLETED_WITH_ERRORS', 'CANCELLING', 'CANCELLED', 'FAILED']


class _CreateBackupInputRequired(TypedDict):
    TableName: str
    BackupName: str


class CreateBackupInput(_CreateBackupInputRequired):
    pass


class CreateBackupOutput(TypedDict, total=False):
    BackupDetails: BackupDetails


class _BackupDetailsRequired(TypedDict):
    BackupArn: str
    BackupName: str
    BackupStatus: BackupStatus
    BackupType: BackupType
    BackupCreationDateTime: float


class BackupDetails(_BackupDetailsRequired, total=False):
    BackupSizeBytes: int
    BackupExpiryDateTime: float


BackupStatus = Literal['CREATING', 'DELETED', 'AVAILABLE']


BackupType = Literal['USER', 'SYSTEM', 'AWS_BACKUP']


class _CreateGlobalTableInputRequired(TypedDict):
    GlobalTableName: str
    ReplicationGroup: list[Replica]


class CreateGlobalTableInput(_CreateGlobalTableInputRequired):
    pass


class Replica(TypedDict, total=False):
    RegionName: str


class CreateGlobalTableOutput(TypedDict, total=False):
    GlobalTableDescription: GlobalTableDescription


class GlobalTableDescription(TypedDict, total=False):
    ReplicationGroup: list[ReplicaDescription]
    GlobalTableArn: str
    CreationDateTime: float
    GlobalTableStatus: GlobalTableStatus
    GlobalTableName: str


class ReplicaDescription(TypedDict, total=False):
    RegionName: str
    ReplicaStatus: ReplicaStatus
    ReplicaArn: str
    ReplicaStatusDescription: str
    ReplicaStatusPercentProgress: str
    KMSMasterKeyId: str
    ProvisionedThroughputOverride: ProvisionedThroughputOverride
    OnDemandThroughputOverride: OnDemandThroughputOverride
    WarmThroughput: TableWarmThroughputDescription
    GlobalSecondaryIndexes: list[ReplicaGlobalSecondaryIndexDescription]
    ReplicaInaccessibleDateTime: float
    ReplicaTableClassSummary: TableClassSummary
    GlobalTableSettingsReplicationMode: GlobalTableSettingsReplicationMode


ReplicaStatus = Literal['CREATING', 'CREATION_FAILED', 'UPDATING', 'DELETING', 'ACTIVE', 'REGION_DISABLED', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'ARCHIVING', 'ARCHIVED', 'REPLICATION_NOT_AUTHORIZED']


class ProvisionedThroughputOverride(TypedDict, total=False):
    ReadCapacityUnits: int


class OnDemandThroughputOverride(TypedDict, total=False):
    MaxReadRequestUnits: int


class TableWarmThroughputDescription(TypedDict, total=False):
    ReadUnitsPerSecond: int
    WriteUnitsPerSecond: int
    Status: TableStatus


TableStatus = Literal['CREATING', 'UPDATING', 'DELETING', 'ACTIVE', 'INACCESSIBLE_ENCRYPTION_CREDENTIALS', 'ARCHIVING', 'ARCHIVED', 'REPLICATION_NOT_AUTHORIZED']


class ReplicaGlobalSecondaryIndexDescription(TypedDict, total=False):
    IndexName: str
    ProvisionedThroughputOverride: ProvisionedThroughputOverride
    OnDemandThroughputOverride: OnDemandThroughputOverride
    WarmThroughput: GlobalSecondaryIndexWarmThroughputDescription


class GlobalSecondaryIndexWarmThroughputDescription(TypedDict, total=False):
    ReadUnitsPerSecond: int
    WriteUnitsPerSecond: int
    Status: IndexStatus


IndexStatus = Literal['CREATING', 'UPDATING', 'DELETING', 'ACTIVE']


class TableClassSummary(TypedDict, total=False):
    TableClass: TableClass
    LastUpdateDateTime: float


TableClass = Literal['STANDARD', 'STANDARD_INFREQUENT_ACCESS']


GlobalTableSettingsReplicationMode = Literal['ENABLED', 'DISABLED', 'ENABLED_WITH_OVERRIDES']


GlobalTableStatus = Literal['CREATING', 'ACTIVE', 'DELETING', 'UPDATING']


class _CreateTableInputRequired(TypedDict):
    TableName: str


class CreateTableInput(_CreateTableInputRequired, total=False):
    AttributeDefinitions: list[AttributeDefinition]
    KeySchema: list[KeySchemaElement]
    LocalSecondaryIndexes: list[LocalSecondaryIndex]
    GlobalSecondaryIndexes: list[GlobalSecondaryIndex]
    BillingMode: BillingMode
    ProvisionedThroughput: ProvisionedThroughput
    StreamSpecification: StreamSpecification
    SSESpecification: SSESpecification
    Tags: list[Tag]
    TableClass: TableClass
    DeletionProtectionEnabled: bool
    WarmThroughput: WarmThroughput
    ResourcePolicy: str
    OnDemandThroughput: OnDemandThroughput
    GlobalTableSourceArn: str
    GlobalTableSettingsReplicationMode: GlobalTableSettingsReplicationMode
    VectorIndexes: list[VectorIndex]


class _AttributeDefinitionRequired(TypedDict):
    AttributeName: str
    AttributeType: ScalarAttributeType


class AttributeDefinition(_AttributeDefinitionRequired):
    pass


ScalarAttributeType = Literal['S', 'N', 'B']


class _KeySchemaElementRequired(TypedDict):
    AttributeName: str
    KeyType: KeyType


class KeySchemaElement(_KeySchemaElementRequired):
    pass


KeyType = Literal['HASH', 'RANGE']


class _LocalSecondaryIndexRequired(TypedDict):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection


class LocalSecondaryIndex(_LocalSecondaryIndexRequired):
    pass


class Projection(TypedDict, total=False):
    ProjectionType: ProjectionType
    NonKeyAttributes: list[str]


ProjectionType = Literal['ALL', 'KEYS_ONLY', 'INCLUDE']


class _GlobalSecondaryIndexRequired(TypedDict):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection


class GlobalSecondaryIndex(_GlobalSecondaryIndexRequired, total=False):
    ProvisionedThroughput: ProvisionedThroughput
    OnDemandThroughput: OnDemandThroughput
    WarmThroughput: WarmThroughput


class _ProvisionedThroughputRequired(TypedDict):
    ReadCapacityUnits: int
    WriteCapacityUnits: int


class ProvisionedThroughput(_ProvisionedThroughputRequired):
    pass


class OnDemandThroughput(TypedDict, total=False):
    MaxReadRequestUnits: int
    MaxWriteRequestUnits: int


class WarmThroughput(TypedDict, total=False):
    ReadUnitsPerSecond: int
    WriteUnitsPerSecond: int


BillingMode = Literal['PROVISIONED', 'PAY_PER_REQUEST']


class _StreamSpecificationRequired(TypedDict):
    StreamEnabled: bool


class StreamSpecification(_StreamSpecificationRequired, total=False):
    StreamViewType: StreamViewType


StreamViewType = Literal['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']


class SSESpecification(TypedDict, total=False):
    Enabled: bool
    SSEType: SSEType
    KMSMasterKeyId: str


SSEType = Literal['AES256', 'KMS']


class _TagRequired(TypedDict):
    Key: str
    Value: str


class Tag(_TagRequired):
    pass


class _VectorIndexRequired(TypedDict):
    IndexName: str
    VectorAttribute: VectorAttributeDefinition
    Projection: Projection
    Dimensions: int
    DistanceFunction: VectorDistanceFunction


class VectorIndex(_VectorIndexRequired, total=False):
    SearchSchema: list[SearchSchemaElement]


class _VectorAttributeDefinitionRequired(TypedDict):
    AttributeName: str


class VectorAttributeDefinition(_VectorAttributeDefinitionRequired):
    pass


class _SearchSchemaElementRequired(TypedDict):
    AttributeName: str
    SearchSchemaElementType: SearchSchemaElementType


class SearchSchemaElement(_SearchSchemaElementRequired):
    pass


SearchSchemaElementType = Literal['HASH', 'INLINE_FILTER']


VectorDistanceFunction = Literal['COSINE', 'DOT_PRODUCT', 'EUCLIDEAN']


class CreateTableOutput(TypedDict, total=False):
    TableDescription: TableDescription


class TableDescription(TypedDict, total=False):
    AttributeDefinitions: list[AttributeDefinition]
    TableName: str
    KeySchema: list[KeySchemaElement]
    TableStatus: TableStatus
    CreationDateTime: float
    ProvisionedThroughput: ProvisionedThroughputDescription
    TableSizeBytes: int
    ItemCount: int
    TableArn: str
    TableId: str
    BillingModeSummary: BillingModeSummary
    LocalSecondaryIndexes: list[LocalSecondaryIndexDescription]
    GlobalSecondaryIndexes: list[GlobalSecondaryIndexDescription]
    StreamSpecification: StreamSpecification
    LatestStreamLabel: str
    LatestStreamArn: str
    GlobalTableVersion: str
    Replicas: list[ReplicaDescription]
    GlobalTableWitnesses: list[GlobalTableWitnessDescription]
    GlobalTableSettingsReplicationMode: GlobalTableSettingsReplicationMode
    RestoreSummary: RestoreSummary
    SSEDescription: SSEDescription
    ArchivalSummary: ArchivalSummary
    TableClassSummary: TableClassSummary
    DeletionProtectionEnabled: bool
    DisassociationProtectionEnabled: bool
    OnDemandThroughput: OnDemandThroughput
    WarmThroughput: TableWarmThroughputDescription
    MultiRegionConsistency: MultiRegionConsistency
    VectorIndexes: list[VectorIndexDescription]


class ProvisionedThroughputDescription(TypedDict, total=False):
    LastIncreaseDateTime: float
    LastDecreaseDateTime: float
    NumberOfDecreasesToday: int
    ReadCapacityUnits: int
    WriteCapacityUnits: int


class BillingModeSummary(TypedDict, total=False):
    BillingMode: BillingMode
    LastUpdateToPayPerRequestDateTime: float


class LocalSecondaryIndexDescription(TypedDict, total=False):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection
    IndexSizeBytes: int
    ItemCount: int
    IndexArn: str


class GlobalSecondaryIndexDescription(TypedDict, total=False):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection
    IndexStatus: IndexStatus
    Backfilling: bool
    ProvisionedThroughput: ProvisionedThroughputDescription
    IndexSizeBytes: int
    ItemCount: int
    IndexArn: str
    OnDemandThroughput: OnDemandThroughput
    WarmThroughput: GlobalSecondaryIndexWarmThroughputDescription


class GlobalTableWitnessDescription(TypedDict, total=False):
    RegionName: str
    WitnessStatus: WitnessStatus


WitnessStatus = Literal['CREATING', 'DELETING', 'ACTIVE']


class _RestoreSummaryRequired(TypedDict):
    RestoreDateTime: float
    RestoreInProgress: bool


class RestoreSummary(_RestoreSummaryRequired, total=False):
    SourceBackupArn: str
    SourceTableArn: str


class SSEDescription(TypedDict, total=False):
    Status: SSEStatus
    SSEType: SSEType
    KMSMasterKeyArn: str
    InaccessibleEncryptionDateTime: float


SSEStatus = Literal['ENABLING', 'ENABLED', 'DISABLING', 'DISABLED', 'UPDATING']


class ArchivalSummary(TypedDict, total=False):
    ArchivalDateTime: float
    ArchivalReason: str
    ArchivalBackupArn: str


MultiRegionConsistency = Literal['EVENTUAL', 'STRONG']


class VectorIndexDescription(TypedDict, total=False):
    IndexName: str
    SearchSchema: list[SearchSchemaElement]
    Projection: Projection
    VectorAttribute: VectorAttributeDefinition
    Dimensions: int
    DistanceFunction: VectorDistanceFunction
    IndexStatus: IndexStatus
    Backfilling: bool
    IndexSizeBytes: int
    ItemCount: int
    IndexArn: str


class _DeleteBackupInputRequired(TypedDict):
    BackupArn: str


class DeleteBackupInput(_DeleteBackupInputRequired):
    pass


class DeleteBackupOutput(TypedDict, total=False):
    BackupDescription: BackupDescription


class BackupDescription(TypedDict, total=False):
    BackupDetails: BackupDetails
    SourceTableDetails: SourceTableDetails
    SourceTableFeatureDetails: SourceTableFeatureDetails


class _SourceTableDetailsRequired(TypedDict):
    TableName: str
    TableId: str
    KeySchema: list[KeySchemaElement]
    TableCreationDateTime: float
    ProvisionedThroughput: ProvisionedThroughput


class SourceTableDetails(_SourceTableDetailsRequired, total=False):
    TableArn: str
    TableSizeBytes: int
    OnDemandThroughput: OnDemandThroughput
    ItemCount: int
    BillingMode: BillingMode


class SourceTableFeatureDetails(TypedDict, total=False):
    LocalSecondaryIndexes: list[LocalSecondaryIndexInfo]
    GlobalSecondaryIndexes: list[GlobalSecondaryIndexInfo]
    StreamDescription: StreamSpecification
    TimeToLiveDescription: TimeToLiveDescription
    SSEDescription: SSEDescription
    VectorIndexes: list[VectorIndexInfo]


class LocalSecondaryIndexInfo(TypedDict, total=False):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection


class GlobalSecondaryIndexInfo(TypedDict, total=False):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection
    ProvisionedThroughput: ProvisionedThroughput
    OnDemandThroughput: OnDemandThroughput


class TimeToLiveDescription(TypedDict, total=False):
    TimeToLiveStatus: TimeToLiveStatus
    AttributeName: str


TimeToLiveStatus = Literal['ENABLING', 'DISABLING', 'ENABLED', 'DISABLED']


class VectorIndexInfo(TypedDict, total=False):
    IndexName: str
    VectorAttribute: VectorAttributeDefinition
    SearchSchema: list[SearchSchemaElement]
    Projection: Projection
    Dimensions: int
    DistanceFunction: VectorDistanceFunction


class _DeleteItemInputRequired(TypedDict):
    TableName: str
    Key: dict[str, AttributeValue]


class DeleteItemInput(_DeleteItemInputRequired, total=False):
    Expected: dict[str, ExpectedAttributeValue]
    ConditionalOperator: ConditionalOperator
    ReturnValues: ReturnValue
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ReturnItemCollectionMetrics: ReturnItemCollectionMetrics
    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class ExpectedAttributeValue(TypedDict, total=False):
    Value: AttributeValue
    Exists: bool
    ComparisonOperator: ComparisonOperator
    AttributeValueList: list[AttributeValue]


ComparisonOperator = Literal['EQ', 'NE', 'IN', 'LE', 'LT', 'GE', 'GT', 'BETWEEN', 'NOT_NULL', 'NULL', 'CONTAINS', 'NOT_CONTAINS', 'BEGINS_WITH']


ConditionalOperator = Literal['AND', 'OR']


ReturnValue = Literal['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']


class DeleteItemOutput(TypedDict, total=False):
    Attributes: dict[str, AttributeValue]
    ConsumedCapacity: ConsumedCapacity
    ItemCollectionMetrics: ItemCollectionMetrics


class _DeleteResourcePolicyInputRequired(TypedDict):
    ResourceArn: str


class DeleteResourcePolicyInput(_DeleteResourcePolicyInputRequired, total=False):
    ExpectedRevisionId: str


class DeleteResourcePolicyOutput(TypedDict, total=False):
    RevisionId: str


class _DeleteTableInputRequired(TypedDict):
    TableName: str


class DeleteTableInput(_DeleteTableInputRequired):
    pass


class DeleteTableOutput(TypedDict, total=False):
    TableDescription: TableDescription


class _DescribeBackupInputRequired(TypedDict):
    BackupArn: str


class DescribeBackupInput(_DescribeBackupInputRequired):
    pass


class DescribeBackupOutput(TypedDict, total=False):
    BackupDescription: BackupDescription


class _DescribeBulkOperationInputRequired(TypedDict):
    BulkOperationArn: str


class DescribeBulkOperationInput(_DescribeBulkOperationInputRequired):
    pass


class _DescribeBulkOperationOutputRequired(TypedDict):
    BulkOperationDescription: BulkOperationDescription


class DescribeBulkOperationOutput(_DescribeBulkOperationOutputRequired):
    pass


class BulkOperationDescription(TypedDict, total=False):
    BulkOperationArn: str
    BulkOperationStatus: BulkOperationStatus
    TableDetails: list[BulkOperationTableDetail]
    ClientToken: str
    InputS3Configuration: InputS3Configuration
    OutputS3Configuration: OutputS3Configuration
    StartTime: float
    EndTime: float
    ProcessedItemCount: int
    ProcessedInputBytes: int
    TotalInputBytes: int
    BulkOperationUsage: list[BulkOperationUsage]
    FailedItemCount: int
    FailureCode: str
    FailureMessage: str
    MaxWriteRequestUnits: int
    PerformanceTier: BulkOperationPerformanceTier


class BulkOperationTableDetail(TypedDict, total=False):
    TableName: str
    TableId: str


class _InputS3ConfigurationRequired(TypedDict):
    S3Bucket: str
    InputFormat: BulkOperationInputFormat


class InputS3Configuration(_InputS3ConfigurationRequired, total=False):
    S3BucketOwner: str
    S3KeyPrefix: str
    InputCompressionType: InputCompressionType


BulkOperationInputFormat = Literal['DYNAMODB_JSON', 'ION']


InputCompressionType = Literal['GZIP', 'ZSTD', 'NONE']


class _OutputS3ConfigurationRequired(TypedDict):
    OutputType: list[OutputTypeEnum]


class OutputS3Configuration(_OutputS3ConfigurationRequired, total=False):
    S3BucketOwner: str
    S3Bucket: str
    S3KeyPrefix: str
    S3SseAlgorithm: S3SseAlgorithm
    S3SseKmsKeyId: str


S3SseAlgorithm = Literal['AES256', 'KMS']


OutputTypeEnum = Literal['ERROR', 'CONDITION_CHECK_FAILURE']


class BulkOperationUsage(TypedDict, total=False):
    TableName: str
    BulkPutBytes: int
    Table: BulkOperationBytes
    LocalSecondaryIndexes: dict[str, BulkOperationBytes]
    GlobalSecondaryIndexes: dict[str, BulkOperationBytes]
    VectorIndexes: dict[str, BulkOperationVectorBytes]


class BulkOperationBytes(TypedDict, total=False):
    BulkPutBytes: int


class BulkOperationVectorBytes(TypedDict, total=False):
    BulkPutVectorBytes: int


BulkOperationPerformanceTier = Literal['STANDARD', 'ACCELERATED']


class _DescribeContinuousBackupsInputRequired(TypedDict):
    TableName: str


class DescribeContinuousBackupsInput(_DescribeContinuousBackupsInputRequired):
    pass


class DescribeContinuousBackupsOutput(TypedDict, total=False):
    ContinuousBackupsDescription: ContinuousBackupsDescription


class _ContinuousBackupsDescriptionRequired(TypedDict):
    ContinuousBackupsStatus: ContinuousBackupsStatus


class ContinuousBackupsDescription(_ContinuousBackupsDescriptionRequired, total=False):
    PointInTimeRecoveryDescription: PointInTimeRecoveryDescription


ContinuousBackupsStatus = Literal['ENABLED', 'DISABLED']


class PointInTimeRecoveryDescription(TypedDict, total=False):
    PointInTimeRecoveryStatus: PointInTimeRecoveryStatus
    RecoveryPeriodInDays: int
    EarliestRestorableDateTime: float
    LatestRestorableDateTime: float


PointInTimeRecoveryStatus = Literal['ENABLED', 'DISABLED']


class _DescribeContributorInsightsInputRequired(TypedDict):
    TableName: str


class DescribeContributorInsightsInput(_DescribeContributorInsightsInputRequired, total=False):
    IndexName: str


class DescribeContributorInsightsOutput(TypedDict, total=False):
    TableName: str
    IndexName: str
    ContributorInsightsRuleList: list[str]
    ContributorInsightsStatus: ContributorInsightsStatus
    LastUpdateDateTime: float
    FailureException: FailureException
    ContributorInsightsMode: ContributorInsightsMode


ContributorInsightsStatus = Literal['ENABLING', 'ENABLED', 'DISABLING', 'DISABLED', 'FAILED']


class FailureException(TypedDict, total=False):
    ExceptionName: str
    ExceptionDescription: str


ContributorInsightsMode = Literal['ACCESSED_AND_THROTTLED_KEYS', 'THROTTLED_KEYS']


class DescribeEndpointsRequest(TypedDict, total=False):
    pass


DescribeEndpointsInput = DescribeEndpointsRequest


class _DescribeEndpointsResponseRequired(TypedDict):
    Endpoints: list[Endpoint]


class DescribeEndpointsResponse(_DescribeEndpointsResponseRequired):
    pass


class _EndpointRequired(TypedDict):
    Address: str
    CachePeriodInMinutes: int


class Endpoint(_EndpointRequired):
    pass


DescribeEndpointsOutput = DescribeEndpointsResponse


class _DescribeExportInputRequired(TypedDict):
    ExportArn: str


class DescribeExportInput(_DescribeExportInputRequired):
    pass


class DescribeExportOutput(TypedDict, total=False):
    ExportDescription: ExportDescription


class ExportDescription(TypedDict, total=False):
    ExportArn: str
    ExportStatus: ExportStatus
    StartTime: float
    EndTime: float
    ExportManifest: str
    TableArn: str
    TableId: str
    ExportTime: float
    ClientToken: str
    S3Bucket: str
    S3BucketOwner: str
    S3Prefix: str
    S3SseAlgorithm: S3SseAlgorithm
    S3SseKmsKeyId: str
    FailureCode: str
    FailureMessage: str
    ExportFormat: ExportFormat
    BilledSizeBytes: int
    ItemCount: int
    ExportType: ExportType
    IncrementalExportSpecification: IncrementalExportSpecification
    FilterSpecification: FilterSpecification


ExportStatus = Literal['IN_PROGRESS', 'COMPLETED', 'FAILED']


ExportFormat = Literal['DYNAMODB_JSON', 'ION']


ExportType = Literal['FULL_EXPORT', 'INCREMENTAL_EXPORT']


class IncrementalExportSpecification(TypedDict, total=False):
    ExportFromTime: float
    ExportToTime: float
    ExportViewType: ExportViewType


ExportViewType = Literal['NEW_IMAGE', 'NEW_AND_OLD_IMAGES']


class FilterSpecification(TypedDict, total=False):
    FilterExpression: str
    ProjectionExpression: str
    KeyConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]


class _DescribeGlobalTableInputRequired(TypedDict):
    GlobalTableName: str


class DescribeGlobalTableInput(_DescribeGlobalTableInputRequired):
    pass


class DescribeGlobalTableOutput(TypedDict, total=False):
    GlobalTableDescription: GlobalTableDescription


class _DescribeGlobalTableSettingsInputRequired(TypedDict):
    GlobalTableName: str


class DescribeGlobalTableSettingsInput(_DescribeGlobalTableSettingsInputRequired):
    pass


class DescribeGlobalTableSettingsOutput(TypedDict, total=False):
    GlobalTableName: str
    ReplicaSettings: list[ReplicaSettingsDescription]


class _ReplicaSettingsDescriptionRequired(TypedDict):
    RegionName: str


class ReplicaSettingsDescription(_ReplicaSettingsDescriptionRequired, total=False):
    ReplicaStatus: ReplicaStatus
    ReplicaBillingModeSummary: BillingModeSummary
    ReplicaProvisionedReadCapacityUnits: int
    ReplicaProvisionedReadCapacityAutoScalingSettings: AutoScalingSettingsDescription
    ReplicaProvisionedWriteCapacityUnits: int
    ReplicaProvisionedWriteCapacityAutoScalingSettings: AutoScalingSettingsDescription
    ReplicaGlobalSecondaryIndexSettings: list[ReplicaGlobalSecondaryIndexSettingsDescription]
    ReplicaTableClassSummary: TableClassSummary


class AutoScalingSettingsDescription(TypedDict, total=False):
    MinimumUnits: int
    MaximumUnits: int
    AutoScalingDisabled: bool
    AutoScalingRoleArn: str
    ScalingPolicies: list[AutoScalingPolicyDescription]


class AutoScalingPolicyDescription(TypedDict, total=False):
    PolicyName: str
    TargetTrackingScalingPolicyConfiguration: AutoScalingTargetTrackingScalingPolicyConfigurationDescription


class _AutoScalingTargetTrackingScalingPolicyConfigurationDescriptionRequired(TypedDict):
    TargetValue: float


class AutoScalingTargetTrackingScalingPolicyConfigurationDescription(_AutoScalingTargetTrackingScalingPolicyConfigurationDescriptionRequired, total=False):
    DisableScaleIn: bool
    ScaleInCooldown: int
    ScaleOutCooldown: int


class _ReplicaGlobalSecondaryIndexSettingsDescriptionRequired(TypedDict):
    IndexName: str


class ReplicaGlobalSecondaryIndexSettingsDescription(_ReplicaGlobalSecondaryIndexSettingsDescriptionRequired, total=False):
    IndexStatus: IndexStatus
    ProvisionedReadCapacityUnits: int
    ProvisionedReadCapacityAutoScalingSettings: AutoScalingSettingsDescription
    ProvisionedWriteCapacityUnits: int
    ProvisionedWriteCapacityAutoScalingSettings: AutoScalingSettingsDescription


class _DescribeImportInputRequired(TypedDict):
    ImportArn: str


class DescribeImportInput(_DescribeImportInputRequired):
    pass


class _DescribeImportOutputRequired(TypedDict):
    ImportTableDescription: ImportTableDescription


class DescribeImportOutput(_DescribeImportOutputRequired):
    pass


class ImportTableDescription(TypedDict, total=False):
    ImportArn: str
    ImportStatus: ImportStatus
    TableArn: str
    TableId: str
    ClientToken: str
    S3BucketSource: S3BucketSource
    ErrorCount: int
    CloudWatchLogGroupArn: str
    InputFormat: InputFormat
    InputFormatOptions: InputFormatOptions
    InputCompressionType: InputCompressionType
    TableCreationParameters: TableCreationParameters
    StartTime: float
    EndTime: float
    ProcessedSizeBytes: int
    ProcessedItemCount: int
    ImportedItemCount: int
    FailureCode: str
    FailureMessage: str


ImportStatus = Literal['IN_PROGRESS', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED']


class _S3BucketSourceRequired(TypedDict):
    S3Bucket: str


class S3BucketSource(_S3BucketSourceRequired, total=False):
    S3BucketOwner: str
    S3KeyPrefix: str


InputFormat = Literal['DYNAMODB_JSON', 'ION', 'CSV']


class InputFormatOptions(TypedDict, total=False):
    Csv: CsvOptions


class CsvOptions(TypedDict, total=False):
    Delimiter: str
    HeaderList: list[str]


class _TableCreationParametersRequired(TypedDict):
    TableName: str
    AttributeDefinitions: list[AttributeDefinition]
    KeySchema: list[KeySchemaElement]


class TableCreationParameters(_TableCreationParametersRequired, total=False):
    BillingMode: BillingMode
    ProvisionedThroughput: ProvisionedThroughput
    OnDemandThroughput: OnDemandThroughput
    SSESpecification: SSESpecification
    GlobalSecondaryIndexes: list[GlobalSecondaryIndex]
    VectorIndexes: list[VectorIndex]


class _DescribeKinesisStreamingDestinationInputRequired(TypedDict):
    TableName: str


class DescribeKinesisStreamingDestinationInput(_DescribeKinesisStreamingDestinationInputRequired):
    pass


class DescribeKinesisStreamingDestinationOutput(TypedDict, total=False):
    TableName: str
    KinesisDataStreamDestinations: list[KinesisDataStreamDestination]


class KinesisDataStreamDestination(TypedDict, total=False):
    StreamArn: str
    DestinationStatus: DestinationStatus
    DestinationStatusDescription: str
    ApproximateCreationDateTimePrecision: ApproximateCreationDateTimePrecision


DestinationStatus = Literal['ENABLING', 'ACTIVE', 'DISABLING', 'DISABLED', 'ENABLE_FAILED', 'UPDATING']


ApproximateCreationDateTimePrecision = Literal['MILLISECOND', 'MICROSECOND']


class DescribeLimitsInput(TypedDict, total=False):
    pass


class DescribeLimitsOutput(TypedDict, total=False):
    AccountMaxReadCapacityUnits: int
    AccountMaxWriteCapacityUnits: int
    TableMaxReadCapacityUnits: int
    TableMaxWriteCapacityUnits: int


class _DescribeTableInputRequired(TypedDict):
    TableName: str


class DescribeTableInput(_DescribeTableInputRequired):
    pass


class DescribeTableOutput(TypedDict, total=False):
    Table: TableDescription


class _DescribeTableReplicaAutoScalingInputRequired(TypedDict):
    TableName: str


class DescribeTableReplicaAutoScalingInput(_DescribeTableReplicaAutoScalingInputRequired):
    pass


class DescribeTableReplicaAutoScalingOutput(TypedDict, total=False):
    TableAutoScalingDescription: TableAutoScalingDescription


class TableAutoScalingDescription(TypedDict, total=False):
    TableName: str
    TableStatus: TableStatus
    Replicas: list[ReplicaAutoScalingDescription]


class ReplicaAutoScalingDescription(TypedDict, total=False):
    RegionName: str
    GlobalSecondaryIndexes: list[ReplicaGlobalSecondaryIndexAutoScalingDescription]
    ReplicaProvisionedReadCapacityAutoScalingSettings: AutoScalingSettingsDescription
    ReplicaProvisionedWriteCapacityAutoScalingSettings: AutoScalingSettingsDescription
    ReplicaStatus: ReplicaStatus


class ReplicaGlobalSecondaryIndexAutoScalingDescription(TypedDict, total=False):
    IndexName: str
    IndexStatus: IndexStatus
    ProvisionedReadCapacityAutoScalingSettings: AutoScalingSettingsDescription
    ProvisionedWriteCapacityAutoScalingSettings: AutoScalingSettingsDescription


class _DescribeTimeToLiveInputRequired(TypedDict):
    TableName: str


class DescribeTimeToLiveInput(_DescribeTimeToLiveInputRequired):
    pass


class DescribeTimeToLiveOutput(TypedDict, total=False):
    TimeToLiveDescription: TimeToLiveDescription


class _KinesisStreamingDestinationInputRequired(TypedDict):
    TableName: str
    StreamArn: str


class KinesisStreamingDestinationInput(_KinesisStreamingDestinationInputRequired, total=False):
    EnableKinesisStreamingConfiguration: EnableKinesisStreamingConfiguration


class EnableKinesisStreamingConfiguration(TypedDict, total=False):
    ApproximateCreationDateTimePrecision: ApproximateCreationDateTimePrecision


DisableKinesisStreamingDestinationInput = KinesisStreamingDestinationInput


class KinesisStreamingDestinationOutput(TypedDict, total=False):
    TableName: str
    StreamArn: str
    DestinationStatus: DestinationStatus
    EnableKinesisStreamingConfiguration: EnableKinesisStreamingConfiguration


DisableKinesisStreamingDestinationOutput = KinesisStreamingDestinationOutput


EnableKinesisStreamingDestinationInput = KinesisStreamingDestinationInput


EnableKinesisStreamingDestinationOutput = KinesisStreamingDestinationOutput


class _ExecuteStatementInputRequired(TypedDict):
    Statement: str


class ExecuteStatementInput(_ExecuteStatementInputRequired, total=False):
    Parameters: list[AttributeValue]
    ConsistentRead: bool
    NextToken: str
    ReturnConsumedCapacity: ReturnConsumedCapacity
    Limit: int
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class ExecuteStatementOutput(TypedDict, total=False):
    Items: list[dict[str, AttributeValue]]
    NextToken: str
    ConsumedCapacity: ConsumedCapacity
    LastEvaluatedKey: dict[str, AttributeValue]


class _ExecuteTransactionInputRequired(TypedDict):
    TransactStatements: list[ParameterizedStatement]


class ExecuteTransactionInput(_ExecuteTransactionInputRequired, total=False):
    ClientRequestToken: str
    ReturnConsumedCapacity: ReturnConsumedCapacity


class _ParameterizedStatementRequired(TypedDict):
    Statement: str


class ParameterizedStatement(_ParameterizedStatementRequired, total=False):
    Parameters: list[AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class ExecuteTransactionOutput(TypedDict, total=False):
    Responses: list[ItemResponse]
    ConsumedCapacity: list[ConsumedCapacity]


class ItemResponse(TypedDict, total=False):
    Item: dict[str, AttributeValue]


class _ExportTableToPointInTimeInputRequired(TypedDict):
    TableArn: str
    S3Bucket: str


class ExportTableToPointInTimeInput(_ExportTableToPointInTimeInputRequired, total=False):
    ExportTime: float
    ClientToken: str
    S3BucketOwner: str
    S3Prefix: str
    S3SseAlgorithm: S3SseAlgorithm
    S3SseKmsKeyId: str
    ExportFormat: ExportFormat
    ExportType: ExportType
    IncrementalExportSpecification: IncrementalExportSpecification
    FilterSpecification: FilterSpecification


class ExportTableToPointInTimeOutput(TypedDict, total=False):
    ExportDescription: ExportDescription


class _GetItemInputRequired(TypedDict):
    TableName: str
    Key: dict[str, AttributeValue]


class GetItemInput(_GetItemInputRequired, total=False):
    AttributesToGet: list[str]
    ConsistentRead: bool
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ProjectionExpression: str
    ExpressionAttributeNames: dict[str, str]


class GetItemOutput(TypedDict, total=False):
    Item: dict[str, AttributeValue]
    ConsumedCapacity: ConsumedCapacity


class _GetResourcePolicyInputRequired(TypedDict):
    ResourceArn: str


class GetResourcePolicyInput(_GetResourcePolicyInputRequired):
    pass


class GetResourcePolicyOutput(TypedDict, total=False):
    Policy: str
    RevisionId: str


class _ImportTableInputRequired(TypedDict):
    S3BucketSource: S3BucketSource
    InputFormat: InputFormat
    TableCreationParameters: TableCreationParameters


class ImportTableInput(_ImportTableInputRequired, total=False):
    ClientToken: str
    InputFormatOptions: InputFormatOptions
    InputCompressionType: InputCompressionType


class _ImportTableOutputRequired(TypedDict):
    ImportTableDescription: ImportTableDescription


class ImportTableOutput(_ImportTableOutputRequired):
    pass


class ListBackupsInput(TypedDict, total=False):
    TableName: str
    Limit: int
    TimeRangeLowerBound: float
    TimeRangeUpperBound: float
    ExclusiveStartBackupArn: str
    BackupType: BackupTypeFilter


BackupTypeFilter = Literal['USER', 'SYSTEM', 'AWS_BACKUP', 'ALL']


class ListBackupsOutput(TypedDict, total=False):
    BackupSummaries: list[BackupSummary]
    LastEvaluatedBackupArn: str


class BackupSummary(TypedDict, total=False):
    TableName: str
    TableId: str
    TableArn: str
    BackupArn: str
    BackupName: str
    BackupCreationDateTime: float
    BackupExpiryDateTime: float
    BackupStatus: BackupStatus
    BackupType: BackupType
    BackupSizeBytes: int


class ListBulkOperationsInput(TypedDict, total=False):
    MaxResults: int
    NextToken: str


class ListBulkOperationsOutput(TypedDict, total=False):
    BulkOperationsSummaryList: list[BulkOperationSummary]
    NextToken: str


class _BulkOperationSummaryRequired(TypedDict):
    BulkOperationArn: str
    BulkOperationStatus: BulkOperationStatus
    StartTime: float


class BulkOperationSummary(_BulkOperationSummaryRequired, total=False):
    EndTime: float


class ListContributorInsightsInput(TypedDict, total=False):
    TableName: str
    NextToken: str
    MaxResults: int


class ListContributorInsightsOutput(TypedDict, total=False):
    ContributorInsightsSummaries: list[ContributorInsightsSummary]
    NextToken: str


class ContributorInsightsSummary(TypedDict, total=False):
    TableName: str
    IndexName: str
    ContributorInsightsStatus: ContributorInsightsStatus
    ContributorInsightsMode: ContributorInsightsMode


class ListExportsInput(TypedDict, total=False):
    TableArn: str
    MaxResults: int
    NextToken: str


class ListExportsOutput(TypedDict, total=False):
    ExportSummaries: list[ExportSummary]
    NextToken: str


class ExportSummary(TypedDict, total=False):
    ExportArn: str
    ExportStatus: ExportStatus
    ExportType: ExportType


class ListGlobalTablesInput(TypedDict, total=False):
    ExclusiveStartGlobalTableName: str
    Limit: int
    RegionName: str


class ListGlobalTablesOutput(TypedDict, total=False):
    GlobalTables: list[GlobalTable]
    LastEvaluatedGlobalTableName: str


class GlobalTable(TypedDict, total=False):
    GlobalTableName: str
    ReplicationGroup: list[Replica]


class ListImportsInput(TypedDict, total=False):
    TableArn: str
    PageSize: int
    NextToken: str


class ListImportsOutput(TypedDict, total=False):
    ImportSummaryList: list[ImportSummary]
    NextToken: str


class ImportSummary(TypedDict, total=False):
    ImportArn: str
    ImportStatus: ImportStatus
    TableArn: str
    S3BucketSource: S3BucketSource
    CloudWatchLogGroupArn: str
    InputFormat: InputFormat
    StartTime: float
    EndTime: float


class ListTablesInput(TypedDict, total=False):
    ExclusiveStartTableName: str
    Limit: int


class ListTablesOutput(TypedDict, total=False):
    TableNames: list[str]
    LastEvaluatedTableName: str


class _ListTagsOfResourceInputRequired(TypedDict):
    ResourceArn: str


class ListTagsOfResourceInput(_ListTagsOfResourceInputRequired, total=False):
    NextToken: str


class ListTagsOfResourceOutput(TypedDict, total=False):
    Tags: list[Tag]
    NextToken: str


class _PutItemInputRequired(TypedDict):
    TableName: str
    Item: dict[str, AttributeValue]


class PutItemInput(_PutItemInputRequired, total=False):
    Expected: dict[str, ExpectedAttributeValue]
    ReturnValues: ReturnValue
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ReturnItemCollectionMetrics: ReturnItemCollectionMetrics
    ConditionalOperator: ConditionalOperator
    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class PutItemOutput(TypedDict, total=False):
    Attributes: dict[str, AttributeValue]
    ConsumedCapacity: ConsumedCapacity
    ItemCollectionMetrics: ItemCollectionMetrics


class _PutResourcePolicyInputRequired(TypedDict):
    ResourceArn: str
    Policy: str


class PutResourcePolicyInput(_PutResourcePolicyInputRequired, total=False):
    ExpectedRevisionId: str
    ConfirmRemoveSelfResourceAccess: bool


class PutResourcePolicyOutput(TypedDict, total=False):
    RevisionId: str


class _QueryInputRequired(TypedDict):
    TableName: str


class QueryInput(_QueryInputRequired, total=False):
    IndexName: str
    Select: Select
    AttributesToGet: list[str]
    Limit: int
    ConsistentRead: bool
    KeyConditions: dict[str, Condition]
    QueryFilter: dict[str, Condition]
    ConditionalOperator: ConditionalOperator
    ScanIndexForward: bool
    ExclusiveStartKey: dict[str, AttributeValue]
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ProjectionExpression: str
    FilterExpression: str
    KeyConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]


Select = Literal['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT']


class _ConditionRequired(TypedDict):
    ComparisonOperator: ComparisonOperator


class Condition(_ConditionRequired, total=False):
    AttributeValueList: list[AttributeValue]


class QueryOutput(TypedDict, total=False):
    Items: list[dict[str, AttributeValue]]
    Count: int
    ScannedCount: int
    LastEvaluatedKey: dict[str, AttributeValue]
    ConsumedCapacity: ConsumedCapacity


class _RestoreTableFromBackupInputRequired(TypedDict):
    TargetTableName: str
    BackupArn: str


class RestoreTableFromBackupInput(_RestoreTableFromBackupInputRequired, total=False):
    BillingModeOverride: BillingMode
    GlobalSecondaryIndexOverride: list[GlobalSecondaryIndex]
    LocalSecondaryIndexOverride: list[LocalSecondaryIndex]
    ProvisionedThroughputOverride: ProvisionedThroughput
    OnDemandThroughputOverride: OnDemandThroughput
    SSESpecificationOverride: SSESpecification
    VectorIndexOverride: list[VectorIndex]


class RestoreTableFromBackupOutput(TypedDict, total=False):
    TableDescription: TableDescription


class _RestoreTableToPointInTimeInputRequired(TypedDict):
    TargetTableName: str


class RestoreTableToPointInTimeInput(_RestoreTableToPointInTimeInputRequired, total=False):
    SourceTableArn: str
    SourceTableName: str
    UseLatestRestorableTime: bool
    RestoreDateTime: float
    BillingModeOverride: BillingMode
    GlobalSecondaryIndexOverride: list[GlobalSecondaryIndex]
    LocalSecondaryIndexOverride: list[LocalSecondaryIndex]
    ProvisionedThroughputOverride: ProvisionedThroughput
    OnDemandThroughputOverride: OnDemandThroughput
    SSESpecificationOverride: SSESpecification
    VectorIndexOverride: list[VectorIndex]


class RestoreTableToPointInTimeOutput(TypedDict, total=False):
    TableDescription: TableDescription


class _ScanInputRequired(TypedDict):
    TableName: str


class ScanInput(_ScanInputRequired, total=False):
    IndexName: str
    AttributesToGet: list[str]
    Limit: int
    Select: Select
    ScanFilter: dict[str, Condition]
    ConditionalOperator: ConditionalOperator
    ExclusiveStartKey: dict[str, AttributeValue]
    ReturnConsumedCapacity: ReturnConsumedCapacity
    TotalSegments: int
    Segment: int
    ProjectionExpression: str
    FilterExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ConsistentRead: bool


class ScanOutput(TypedDict, total=False):
    Items: list[dict[str, AttributeValue]]
    Count: int
    ScannedCount: int
    LastEvaluatedKey: dict[str, AttributeValue]
    ConsumedCapacity: ConsumedCapacity


class _SearchVectorsInputRequired(TypedDict):
    TableName: str
    IndexName: str
    SearchVector: list[AttributeValue]
    TopK: int


class SearchVectorsInput(_SearchVectorsInputRequired, total=False):
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ProjectionExpression: str
    SearchConditionExpression: str


class SearchVectorsOutput(TypedDict, total=False):
    ConsumedCapacity: VectorCapacity
    SearchResults: list[SearchResultItem]


class SearchResultItem(TypedDict, total=False):
    Item: dict[str, AttributeValue]
    Score: float


class _StartBulkPutItemsInputRequired(TypedDict):
    InputS3Configuration: InputS3Configuration
    OutputS3Configuration: OutputS3Configuration
    TableName: str


class StartBulkPutItemsInput(_StartBulkPutItemsInputRequired, total=False):
    ClientToken: str
    MaxWriteRequestUnits: int
    PerformanceTier: BulkOperationPerformanceTier


class _StartBulkPutItemsOutputRequired(TypedDict):
    BulkOperationDescription: BulkOperationDescription


class StartBulkPutItemsOutput(_StartBulkPutItemsOutputRequired):
    pass


class _TagResourceInputRequired(TypedDict):
    ResourceArn: str
    Tags: list[Tag]


class TagResourceInput(_TagResourceInputRequired):
    pass


class TagResourceOutput(TypedDict, total=False):
    pass


class _TransactGetItemsInputRequired(TypedDict):
    TransactItems: list[TransactGetItem]


class TransactGetItemsInput(_TransactGetItemsInputRequired, total=False):
    ReturnConsumedCapacity: ReturnConsumedCapacity


class _TransactGetItemRequired(TypedDict):
    Get: Get


class TransactGetItem(_TransactGetItemRequired):
    pass


class _GetRequired(TypedDict):
    Key: dict[str, AttributeValue]
    TableName: str


class Get(_GetRequired, total=False):
    ProjectionExpression: str
    ExpressionAttributeNames: dict[str, str]


class TransactGetItemsOutput(TypedDict, total=False):
    ConsumedCapacity: list[ConsumedCapacity]
    Responses: list[ItemResponse]


class _TransactWriteItemsInputRequired(TypedDict):
    TransactItems: list[TransactWriteItem]


class TransactWriteItemsInput(_TransactWriteItemsInputRequired, total=False):
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ReturnItemCollectionMetrics: ReturnItemCollectionMetrics
    ClientRequestToken: str


class TransactWriteItem(TypedDict, total=False):
    ConditionCheck: ConditionCheck
    Put: Put
    Delete: Delete
    Update: Update


class _ConditionCheckRequired(TypedDict):
    Key: dict[str, AttributeValue]
    TableName: str
    ConditionExpression: str


class ConditionCheck(_ConditionCheckRequired, total=False):
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class _PutRequired(TypedDict):
    Item: dict[str, AttributeValue]
    TableName: str


class Put(_PutRequired, total=False):
    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class _DeleteRequired(TypedDict):
    Key: dict[str, AttributeValue]
    TableName: str


class Delete(_DeleteRequired, total=False):
    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class _UpdateRequired(TypedDict):
    Key: dict[str, AttributeValue]
    UpdateExpression: str
    TableName: str


class Update(_UpdateRequired, total=False):
    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class TransactWriteItemsOutput(TypedDict, total=False):
    ConsumedCapacity: list[ConsumedCapacity]
    ItemCollectionMetrics: dict[str, list[ItemCollectionMetrics]]


class _UntagResourceInputRequired(TypedDict):
    ResourceArn: str
    TagKeys: list[str]


class UntagResourceInput(_UntagResourceInputRequired):
    pass


class UntagResourceOutput(TypedDict, total=False):
    pass


class _UpdateContinuousBackupsInputRequired(TypedDict):
    TableName: str
    PointInTimeRecoverySpecification: PointInTimeRecoverySpecification


class UpdateContinuousBackupsInput(_UpdateContinuousBackupsInputRequired):
    pass


class _PointInTimeRecoverySpecificationRequired(TypedDict):
    PointInTimeRecoveryEnabled: bool


class PointInTimeRecoverySpecification(_PointInTimeRecoverySpecificationRequired, total=False):
    RecoveryPeriodInDays: int


class UpdateContinuousBackupsOutput(TypedDict, total=False):
    ContinuousBackupsDescription: ContinuousBackupsDescription


class _UpdateContributorInsightsInputRequired(TypedDict):
    TableName: str
    ContributorInsightsAction: ContributorInsightsAction


class UpdateContributorInsightsInput(_UpdateContributorInsightsInputRequired, total=False):
    IndexName: str
    ContributorInsightsMode: ContributorInsightsMode


ContributorInsightsAction = Literal['ENABLE', 'DISABLE']


class UpdateContributorInsightsOutput(TypedDict, total=False):
    TableName: str
    IndexName: str
    ContributorInsightsStatus: ContributorInsightsStatus
    ContributorInsightsMode: ContributorInsightsMode


class _UpdateGlobalTableInputRequired(TypedDict):
    GlobalTableName: str
    ReplicaUpdates: list[ReplicaUpdate]


class UpdateGlobalTableInput(_UpdateGlobalTableInputRequired):
    pass


class ReplicaUpdate(TypedDict, total=False):
    Create: CreateReplicaAction
    Delete: DeleteReplicaAction


class _CreateReplicaActionRequired(TypedDict):
    RegionName: str


class CreateReplicaAction(_CreateReplicaActionRequired):
    pass


class _DeleteReplicaActionRequired(TypedDict):
    RegionName: str


class DeleteReplicaAction(_DeleteReplicaActionRequired):
    pass


class UpdateGlobalTableOutput(TypedDict, total=False):
    GlobalTableDescription: GlobalTableDescription


class _UpdateGlobalTableSettingsInputRequired(TypedDict):
    GlobalTableName: str


class UpdateGlobalTableSettingsInput(_UpdateGlobalTableSettingsInputRequired, total=False):
    GlobalTableBillingMode: BillingMode
    GlobalTableProvisionedWriteCapacityUnits: int
    GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate: AutoScalingSettingsUpdate
    GlobalTableGlobalSecondaryIndexSettingsUpdate: list[GlobalTableGlobalSecondaryIndexSettingsUpdate]
    ReplicaSettingsUpdate: list[ReplicaSettingsUpdate]


class AutoScalingSettingsUpdate(TypedDict, total=False):
    MinimumUnits: int
    MaximumUnits: int
    AutoScalingDisabled: bool
    AutoScalingRoleArn: str
    ScalingPolicyUpdate: AutoScalingPolicyUpdate


class _AutoScalingPolicyUpdateRequired(TypedDict):
    TargetTrackingScalingPolicyConfiguration: AutoScalingTargetTrackingScalingPolicyConfigurationUpdate


class AutoScalingPolicyUpdate(_AutoScalingPolicyUpdateRequired, total=False):
    PolicyName: str


class _AutoScalingTargetTrackingScalingPolicyConfigurationUpdateRequired(TypedDict):
    TargetValue: float


class AutoScalingTargetTrackingScalingPolicyConfigurationUpdate(_AutoScalingTargetTrackingScalingPolicyConfigurationUpdateRequired, total=False):
    DisableScaleIn: bool
    ScaleInCooldown: int
    ScaleOutCooldown: int


class _GlobalTableGlobalSecondaryIndexSettingsUpdateRequired(TypedDict):
    IndexName: str


class GlobalTableGlobalSecondaryIndexSettingsUpdate(_GlobalTableGlobalSecondaryIndexSettingsUpdateRequired, total=False):
    ProvisionedWriteCapacityUnits: int
    ProvisionedWriteCapacityAutoScalingSettingsUpdate: AutoScalingSettingsUpdate


class _ReplicaSettingsUpdateRequired(TypedDict):
    RegionName: str


class ReplicaSettingsUpdate(_ReplicaSettingsUpdateRequired, total=False):
    ReplicaProvisionedReadCapacityUnits: int
    ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate: AutoScalingSettingsUpdate
    ReplicaGlobalSecondaryIndexSettingsUpdate: list[ReplicaGlobalSecondaryIndexSettingsUpdate]
    ReplicaTableClass: TableClass


class _ReplicaGlobalSecondaryIndexSettingsUpdateRequired(TypedDict):
    IndexName: str


class ReplicaGlobalSecondaryIndexSettingsUpdate(_ReplicaGlobalSecondaryIndexSettingsUpdateRequired, total=False):
    ProvisionedReadCapacityUnits: int
    ProvisionedReadCapacityAutoScalingSettingsUpdate: AutoScalingSettingsUpdate


class UpdateGlobalTableSettingsOutput(TypedDict, total=False):
    GlobalTableName: str
    ReplicaSettings: list[ReplicaSettingsDescription]


class _UpdateItemInputRequired(TypedDict):
    TableName: str
    Key: dict[str, AttributeValue]


class UpdateItemInput(_UpdateItemInputRequired, total=False):
    AttributeUpdates: dict[str, AttributeValueUpdate]
    Expected: dict[str, ExpectedAttributeValue]
    ConditionalOperator: ConditionalOperator
    ReturnValues: ReturnValue
    ReturnConsumedCapacity: ReturnConsumedCapacity
    ReturnItemCollectionMetrics: ReturnItemCollectionMetrics
    UpdateExpression: str
    ConditionExpression: str
    ExpressionAttributeNames: dict[str, str]
    ExpressionAttributeValues: dict[str, AttributeValue]
    ReturnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure


class AttributeValueUpdate(TypedDict, total=False):
    Value: AttributeValue
    Action: AttributeAction


AttributeAction = Literal['ADD', 'PUT', 'DELETE']


class UpdateItemOutput(TypedDict, total=False):
    Attributes: dict[str, AttributeValue]
    ConsumedCapacity: ConsumedCapacity
    ItemCollectionMetrics: ItemCollectionMetrics


class _UpdateKinesisStreamingDestinationInputRequired(TypedDict):
    TableName: str
    StreamArn: str


class UpdateKinesisStreamingDestinationInput(_UpdateKinesisStreamingDestinationInputRequired, total=False):
    UpdateKinesisStreamingConfiguration: UpdateKinesisStreamingConfiguration


class UpdateKinesisStreamingConfiguration(TypedDict, total=False):
    ApproximateCreationDateTimePrecision: ApproximateCreationDateTimePrecision


class UpdateKinesisStreamingDestinationOutput(TypedDict, total=False):
    TableName: str
    StreamArn: str
    DestinationStatus: DestinationStatus
    UpdateKinesisStreamingConfiguration: UpdateKinesisStreamingConfiguration


class _UpdateTableInputRequired(TypedDict):
    TableName: str


class UpdateTableInput(_UpdateTableInputRequired, total=False):
    AttributeDefinitions: list[AttributeDefinition]
    BillingMode: BillingMode
    ProvisionedThroughput: ProvisionedThroughput
    GlobalSecondaryIndexUpdates: list[GlobalSecondaryIndexUpdate]
    StreamSpecification: StreamSpecification
    SSESpecification: SSESpecification
    ReplicaUpdates: list[ReplicationGroupUpdate]
    TableClass: TableClass
    DeletionProtectionEnabled: bool
    MultiRegionConsistency: MultiRegionConsistency
    GlobalTableWitnessUpdates: list[GlobalTableWitnessGroupUpdate]
    OnDemandThroughput: OnDemandThroughput
    WarmThroughput: WarmThroughput
    GlobalTableSettingsReplicationMode: GlobalTableSettingsReplicationMode
    DisassociationProtectionEnabled: bool
    VectorIndexUpdates: list[VectorIndexUpdate]


class GlobalSecondaryIndexUpdate(TypedDict, total=False):
    Update: UpdateGlobalSecondaryIndexAction
    Create: CreateGlobalSecondaryIndexAction
    Delete: DeleteGlobalSecondaryIndexAction


class _UpdateGlobalSecondaryIndexActionRequired(TypedDict):
    IndexName: str


class UpdateGlobalSecondaryIndexAction(_UpdateGlobalSecondaryIndexActionRequired, total=False):
    ProvisionedThroughput: ProvisionedThroughput
    OnDemandThroughput: OnDemandThroughput
    WarmThroughput: WarmThroughput


class _CreateGlobalSecondaryIndexActionRequired(TypedDict):
    IndexName: str
    KeySchema: list[KeySchemaElement]
    Projection: Projection


class CreateGlobalSecondaryIndexAction(_CreateGlobalSecondaryIndexActionRequired, total=False):
    ProvisionedThroughput: ProvisionedThroughput
    OnDemandThroughput: OnDemandThroughput
    WarmThroughput: WarmThroughput


class _DeleteGlobalSecondaryIndexActionRequired(TypedDict):
    IndexName: str


class DeleteGlobalSecondaryIndexAction(_DeleteGlobalSecondaryIndexActionRequired):
    pass


class ReplicationGroupUpdate(TypedDict, total=False):
    Create: CreateReplicationGroupMemberAction
    Update: UpdateReplicationGroupMemberAction
    Delete: DeleteReplicationGroupMemberAction
    Disassociate: DisassociateReplicationGroupMemberAction


class _CreateReplicationGroupMemberActionRequired(TypedDict):
    RegionName: str


class CreateReplicationGroupMemberAction(_CreateReplicationGroupMemberActionRequired, total=False):
    KMSMasterKeyId: str
    ProvisionedThroughputOverride: ProvisionedThroughputOverride
    OnDemandThroughputOverride: OnDemandThroughputOverride
    GlobalSecondaryIndexes: list[ReplicaGlobalSecondaryIndex]
    TableClassOverride: TableClass


class _ReplicaGlobalSecondaryIndexRequired(TypedDict):
    IndexName: str


class ReplicaGlobalSecondaryIndex(_ReplicaGlobalSecondaryIndexRequired, total=False):
    ProvisionedThroughputOverride: ProvisionedThroughputOverride
    OnDemandThroughputOverride: OnDemandThroughputOverride


class _UpdateReplicationGroupMemberActionRequired(TypedDict):
    RegionName: str


class UpdateReplicationGroupMemberAction(_UpdateReplicationGroupMemberActionRequired, total=False):
    KMSMasterKeyId: str
    ProvisionedThroughputOverride: ProvisionedThroughputOverride
    OnDemandThroughputOverride: OnDemandThroughputOverride
    GlobalSecondaryIndexes: list[ReplicaGlobalSecondaryIndex]
    TableClassOverride: TableClass


class _DeleteReplicationGroupMemberActionRequired(TypedDict):
    RegionName: str


class DeleteReplicationGroupMemberAction(_DeleteReplicationGroupMemberActionRequired):
    pass


class _DisassociateReplicationGroupMemberActionRequired(TypedDict):
    RegionName: str
    DisassociationMode: DisassociationMode


class DisassociateReplicationGroupMemberAction(_DisassociateReplicationGroupMemberActionRequired):
    pass


DisassociationMode = Literal['WAIT_FOR_REPLICATION']


class GlobalTableWitnessGroupUpdate(TypedDict, total=False):
    Create: CreateGlobalTableWitnessGroupMemberAction
    Delete: DeleteGlobalTableWitnessGroupMemberAction


class _CreateGlobalTableWitnessGroupMemberActionRequired(TypedDict):
    RegionName: str


class CreateGlobalTableWitnessGroupMemberAction(_CreateGlobalTableWitnessGroupMemberActionRequired):
    pass


class _DeleteGlobalTableWitnessGroupMemberActionRequired(TypedDict):
    RegionName: str


class DeleteGlobalTableWitnessGroupMemberAction(_DeleteGlobalTableWitnessGroupMemberActionRequired):
    pass


class VectorIndexUpdate(TypedDict, total=False):
    Create: CreateVectorIndexAction
    Delete: DeleteVectorIndexAction


class _CreateVectorIndexActionRequired(TypedDict):
    IndexName: str
    VectorAttribute: VectorAttributeDefinition
    Projection: Projection
    Dimensions: int
    DistanceFunction: VectorDistanceFunction


class CreateVectorIndexAction(_CreateVectorIndexActionRequired, total=False):
    SearchSchema: list[SearchSchemaElement]


class _DeleteVectorIndexActionRequired(TypedDict):
    IndexName: str


class DeleteVectorIndexAction(_DeleteVectorIndexActionRequired):
    pass


class UpdateTableOutput(TypedDict, total=False):
    TableDescription: TableDescription


class _UpdateTableReplicaAutoScalingInputRequired(TypedDict):
    TableName: str


class UpdateTableReplicaAutoScalingInput(_UpdateTableReplicaAutoScalingInputRequired, total=False):
    GlobalSecondaryIndexUpdates: list[GlobalSecondaryIndexAutoScalingUpdate]
    ProvisionedWriteCapacityAutoScalingUpdate: AutoScalingSettingsUpdate
    ReplicaUpdates: list[ReplicaAutoScalingUpdate]


class GlobalSecondaryIndexAutoScalingUpdate(TypedDict, total=False):
    IndexName: str
    ProvisionedWriteCapacityAutoScalingUpdate: AutoScalingSettingsUpdate


class _ReplicaAutoScalingUpdateRequired(TypedDict):
    RegionName: str


class ReplicaAutoScalingUpdate(_ReplicaAutoScalingUpdateRequired, total=False):
    ReplicaGlobalSecondaryIndexUpdates: list[ReplicaGlobalSecondaryIndexAutoScalingUpdate]
    ReplicaProvisionedReadCapacityAutoScalingUpdate: AutoScalingSettingsUpdate


class ReplicaGlobalSecondaryIndexAutoScalingUpdate(TypedDict, total=False):
    IndexName: str
    ProvisionedReadCapacityAutoScalingUpdate: AutoScalingSettingsUpdate


class UpdateTableReplicaAutoScalingOutput(TypedDict, total=False):
    TableAutoScalingDescription: TableAutoScalingDescription


class _UpdateTimeToLiveInputRequired(TypedDict):
    TableName: str
    TimeToLiveSpecification: TimeToLiveSpecification


class UpdateTimeToLiveInput(_UpdateTimeToLiveInputRequired):
    pass


class _TimeToLiveSpecificationRequired(TypedDict):
    Enabled: bool
    AttributeName: str


class TimeToLiveSpecification(_TimeToLiveSpecificationRequired):
    pass


class UpdateTimeToLiveOutput(TypedDict, total=False):
    TimeToLiveSpecification: TimeToLiveSpecification


class _DescribeStreamInputRequired(TypedDict):
    StreamArn: str


class DescribeStreamInput(_DescribeStreamInputRequired, total=False):
    Limit: int
    ExclusiveStartShardId: str
    ShardFilter: ShardFilter


class ShardFilter(TypedDict, total=False):
    Type: ShardFilterType
    ShardId: str


ShardFilterType = Literal['CHILD_SHARDS']


class DescribeStreamOutput(TypedDict, total=False):
    StreamDescription: StreamDescription


class StreamDescription(TypedDict, total=False):
    StreamArn: str
    StreamLabel: str
    StreamStatus: StreamStatus
    StreamViewType: StreamViewType
    CreationRequestDateTime: float
    TableName: str
    KeySchema: list[KeySchemaElement]
    Shards: list[Shard]
    LastEvaluatedShardId: str


StreamStatus = Literal['ENABLING', 'ENABLED', 'DISABLING', 'DISABLED']


class Shard(TypedDict, total=False):
    ShardId: str
    SequenceNumberRange: SequenceNumberRange
    ParentShardId: str


class SequenceNumberRange(TypedDict, total=False):
    StartingSequenceNumber: str
    EndingSequenceNumber: str


class _GetRecordsInputRequired(TypedDict):
    ShardIterator: str


class GetRecordsInput(_GetRecordsInputRequired, total=False):
    Limit: int


class GetRecordsOutput(TypedDict, total=False):
    Records: list[Record]
    NextShardIterator: str


class Record(TypedDict, total=False):
    eventID: str
    eventName: OperationType
    eventVersion: str
    eventSource: str
    awsRegion: str
    dynamodb: StreamRecord
    userIdentity: Identity


OperationType = Literal['INSERT', 'MODIFY', 'REMOVE']


class StreamRecord(TypedDict, total=False):
    ApproximateCreationDateTime: float
    Keys: dict[str, AttributeValue]
    NewImage: dict[str, AttributeValue]
    OldImage: dict[str, AttributeValue]
    SequenceNumber: str
    SizeBytes: int
    StreamViewType: StreamViewType


class Identity(TypedDict, total=False):
    PrincipalId: str
    Type: str


class _GetShardIteratorInputRequired(TypedDict):
    StreamArn: str
    ShardId: str
    ShardIteratorType: ShardIteratorType


class GetShardIteratorInput(_GetShardIteratorInputRequired, total=False):
    SequenceNumber: str
    Timestamp: float


ShardIteratorType = Literal['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'AT_TIMESTAMP']


class GetShardIteratorOutput(TypedDict, total=False):
    ShardIterator: str


class ListStreamsInput(TypedDict, total=False):
    TableName: str
    Limit: int
    ExclusiveStartStreamArn: str


class ListStreamsOutput(TypedDict, total=False):
    Streams: list[Stream]
    LastEvaluatedStreamArn: str


class Stream(TypedDict, total=False):
    StreamArn: str
    TableName: str
    StreamLabel: str
