"""The expression language's vocabulary and DynamoDB's limits on it.

Constants only, shared by the parser (:mod:`.parser`) and anyone who wants
to show a learner the rules.

Sources: the Developer Guide's "Expression parameters" quotas (an expression
string at most 4 KB, at most 300 operators or functions, document paths at
most 32 levels, IN with at most 100 operands) and its "Comparison operator
and function reference".

Examples
--------
>>> MAX_OPERATORS, MAX_EXPRESSION_SIZE, "BOOL" in ORDERED_TYPES
(300, 4096, False)
"""
from __future__ import annotations

__all__ = ["CONDITION_FUNCTIONS", "UPDATE_FUNCTIONS", "COMPARATORS", "MAX_EXPRESSION_SIZE",
           "MAX_PATH_DEPTH", "MAX_IN_OPERANDS", "MAX_PAREN_DEPTH", "MAX_OPERATORS",
           "ORDERED_TYPES", "TYPE_NAMES", "TYPE_TAGS", "ATTRIBUTE_TYPES", "ARITY"]

CONDITION_FUNCTIONS = ("attribute_exists", "attribute_not_exists", "attribute_type",
                       "begins_with", "contains")
UPDATE_FUNCTIONS = ("if_not_exists", "list_append")
#: How many operands each function takes.
ARITY = {"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
          "begins_with": 2, "contains": 2, "size": 1, "if_not_exists": 2,
          "list_append": 2}
MAX_EXPRESSION_SIZE = 4096
MAX_PATH_DEPTH = 32
MAX_IN_OPERANDS = 100
MAX_PAREN_DEPTH = 64
MAX_OPERATORS = 300
#: The types ``< <= > >= BETWEEN`` can order; a constant of another type
#: is refused before any item is read.
ORDERED_TYPES = ("S", "N", "B")
COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
# The long type names DynamoDB uses in ADD/DELETE operand errors.
TYPE_NAMES = {"S": "STRING", "N": "NUMBER", "B": "BINARY", "SS": "STRING SET",
              "NS": "NUMBER SET", "BS": "BINARY SET", "M": "MAP", "L": "LIST",
              "NULL": "NULL", "BOOL": "BOOLEAN"}
#: How DynamoDB lists the type names in attribute_type's error.
ATTRIBUTE_TYPES = "{ B,NULL,SS,BOOL,L,BS,N,NS,S,M }"
TYPE_TAGS = frozenset({"S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M"})
