"""The service's options refuse typos, wrong types and impossible values at
construction, naming the key and the accepted ones (issue 14)."""
from __future__ import annotations

import pytest

from dynamo_lab import DynamoDB
from dynamo_lab.dynamodb.options import CapacityOptions, IndexOptions, ReplicationOptions
from dynamo_lab.errors import LabError, OptionError, OptionValueError, UsageError

TABLE = {"TableName": "Tab", "BillingMode": "PAY_PER_REQUEST",
         "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}


def test_the_reported_typo_is_refused_before_any_table_exists():
    with pytest.raises(OptionError) as info:
        DynamoDB(seed=0, capacity={"burst_secs": 10})
    err = info.value
    assert (err.group, err.key) == ("capacity", "burst_secs")
    assert "burst_seconds" in str(err) and "burst_secs" in str(err)
    assert isinstance(err, ValueError) and isinstance(err, LabError)


def test_the_right_key_reaches_every_tables_buckets():
    ddb = DynamoDB(seed=0, create_ms=0, capacity={"burst_seconds": 10})
    c = ddb.client()
    c.create_table(**{**TABLE, "BillingMode": "PROVISIONED",
                      "ProvisionedThroughput": {"ReadCapacityUnits": 5,
                                                "WriteCapacityUnits": 5}})
    assert c.describe_table(TableName="Tab")["Table"]["TableStatus"] == "ACTIVE"
    ddb.run(ms=400_000)                # idle far longer than either burst window
    saved = ddb.table_capacity("Tab").tokens("p0", "write", ddb.sim.now)
    assert 10 * 5 <= saved <= 11 * 5   # 10 s of 5 WCU kept, not the default 300 s


@pytest.mark.parametrize("kwargs, group, key", [
    ({"indexes": {"gsi_lag": (1, 2)}}, "indexes", "gsi_lag"),
    ({"replication": {"lag": (1, 2)}}, "replication", "lag"),
    ({"capacity": {"Adaptive": False}}, "capacity", "Adaptive"),
])
def test_unknown_keys_in_every_group(kwargs, group, key):
    with pytest.raises(OptionError) as info:
        DynamoDB(seed=0, **kwargs)
    assert (info.value.group, info.value.key) == (group, key)


@pytest.mark.parametrize("kwargs, key", [
    ({"replication": {"lag_ms": (5, 1)}}, "lag_ms"),
    ({"replication": {"detect_ms": "1s"}}, "detect_ms"),
    ({"indexes": {"gsi_lag_ms": 50}}, "gsi_lag_ms"),
    ({"indexes": {"item_collection_limit": 0}}, "item_collection_limit"),
    ({"capacity": {"adaptive": "no"}}, "adaptive"),
    ({"capacity": {"heat_seconds": 2.5}}, "heat_seconds"),
    ({"capacity": {"burst_seconds": 0}}, "burst_seconds"),     # once a 500 at CreateTable
    ({"capacity": {"burst_seconds": 2.5}}, "burst_seconds"),
    ({"capacity": {"initial_burst_seconds": -1}}, "initial_burst_seconds"),
    ({"capacity": {"initial_burst_seconds": "full"}}, "initial_burst_seconds"),
    ({"create_ms": -5}, "create_ms"),
    ({"partition_size_limit": 0}, "partition_size_limit"),
    ({"on_demand_limits": "yes"}, "on_demand_limits"),
])
def test_wrong_values_name_the_key(kwargs, key):
    with pytest.raises(OptionValueError) as info:
        DynamoDB(seed=0, **kwargs)
    assert info.value.key == key and repr(info.value.value) in str(info.value)


def test_a_group_that_is_not_a_dict():
    with pytest.raises(OptionValueError):
        DynamoDB(seed=0, capacity=["adaptive"])


def test_options_are_frozen_records():
    opts = ReplicationOptions.from_mapping({"lag_ms": [5, 10]})
    assert opts.lag_ms == (5, 10)                   # a list becomes a tuple
    with pytest.raises(AttributeError):
        opts.lag_ms = (1, 1)                        # type: ignore[misc]
    assert CapacityOptions().enforce_on_demand is False


def test_a_running_service_takes_checked_changes():
    ddb = DynamoDB(seed=0, create_ms=0)
    ddb.index_options.update(gsi_lag_ms=(50, 400), gsi_backfill_rate=20)
    assert ddb.index_options["gsi_lag_ms"] == (50, 400)
    assert dict(ddb.index_options) == {"gsi_lag_ms": (50, 400), "gsi_backfill_rate": 20,
                                       "item_collection_limit": IndexOptions().item_collection_limit}
    ddb.replication_options["lag_ms"] = (100, 100)
    with pytest.raises(OptionError):
        ddb.replication_options["lag"] = (1, 1)
    with pytest.raises(OptionValueError):
        ddb.replication_options["lag_ms"] = (100, 1)
    with pytest.raises(UsageError):
        del ddb.index_options["gsi_lag_ms"]
    assert ddb.replication_options["lag_ms"] == (100, 100)   # the refused changes left no trace


def test_a_changed_lag_is_read_at_the_next_write():
    ddb = DynamoDB(seed=0, create_ms=0)
    c = ddb.client()
    c.create_table(**TABLE)
    ddb.replication_options["lag_ms"] = (100, 100)
    c.put_item(TableName="Tab", Item={"id": {"S": "a"}})
    lagging = [r for r in ddb.replicas("Tab", {"id": {"S": "a"}}) if r["behind"]]
    assert len(lagging) == 1
