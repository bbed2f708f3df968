"""The client side of the wire: boto3 in process, and any endpoint.

:mod:`.clients` gives real boto3 clients whose requests go through the
pipeline in process (no socket); :mod:`.connect` makes a client for any
DynamoDB endpoint; :mod:`.botocore_pin` names the botocore internals the
lab relies on and checks they are still there.

May import: :mod:`dynamo_lab.dynamodb.pipeline` and below; never the façade.
"""
