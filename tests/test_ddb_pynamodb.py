"""A PynamoDB model against ``dynamo-lab serve``: an ORM that only knows
DynamoDB's wire protocol, pointed at the lab with ``host``."""
from __future__ import annotations

import os

import pytest

pynamodb = pytest.importorskip("pynamodb")

from ddb_support import DUMMY_ENV, unique  # noqa: E402
from pynamodb.attributes import (  # noqa: E402
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError  # noqa: E402
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex  # noqa: E402
from pynamodb.models import Model  # noqa: E402

from dynamo_lab.dynamodb.server.http import Server  # noqa: E402


@pytest.fixture(scope="module")
def server():
    old = {k: os.environ.get(k) for k in DUMMY_ENV}
    os.environ.update(DUMMY_ENV)              # PynamoDB reads keys from the environment
    srv = Server().start()
    try:
        yield srv
    finally:
        srv.stop()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _models(url: str):
    table = unique("pynamo")

    class ByGenre(GlobalSecondaryIndex):
        class Meta:
            index_name = "by_genre"
            projection = AllProjection()
        genre = UnicodeAttribute(hash_key=True)
        year = NumberAttribute(range_key=True)

    class Song(Model):
        class Meta:
            table_name = table
            host = url
            region = "us-east-1"
            billing_mode = "PAY_PER_REQUEST"
        artist = UnicodeAttribute(hash_key=True)
        title = UnicodeAttribute(range_key=True)
        genre = UnicodeAttribute()
        year = NumberAttribute()
        plays = NumberAttribute(default=0)
        ratings = NumberSetAttribute(null=True)
        credits = ListAttribute(null=True)
        extra = MapAttribute(null=True)
        by_genre = ByGenre()

    return Song


def test_pynamodb_model_roundtrip(server):
    Song = _models(server.url)
    Song.create_table(wait=True)
    assert Song.exists()
    Song("Nina", "Sinnerman", genre="jazz", year=1965, ratings={4, 5},
         credits=["Nina Simone"], extra={"label": "Philips"}).save()
    Song("Nina", "Feeling Good", genre="jazz", year=1965).save()
    Song("Miles", "So What", genre="jazz", year=1959).save()
    s = Song.get("Nina", "Sinnerman")
    assert s.year == 1965 and s.ratings == {4, 5} and s.credits == ["Nina Simone"]
    assert s.extra["label"] == "Philips"
    assert [x.title for x in Song.query("Nina")] == ["Feeling Good", "Sinnerman"]
    # Both have year 1965: items tied on an index key come in no fixed order.
    assert sorted(x.title for x in Song.by_genre.query("jazz", Song.year > 1960)) == \
        ["Feeling Good", "Sinnerman"]
    assert Song.count() == 3
    s.update(actions=[Song.plays.add(2)])
    assert Song.get("Nina", "Sinnerman").plays == 2
    with pytest.raises(PutError) as e:
        Song("Nina", "Sinnerman", genre="x", year=1).save(condition=Song.artist.does_not_exist())
    assert e.value.cause_response_code == "ConditionalCheckFailedException"
    with Song.batch_write() as batch:
        for i in range(30):
            batch.save(Song("Batch", f"t{i:02d}", genre="test", year=2000 + i))
    assert len(list(Song.query("Batch", page_size=7))) == 30
    s.delete()
    with pytest.raises(DoesNotExist):
        Song.get("Nina", "Sinnerman")
    Song.delete_table()
    assert not Song.exists()
