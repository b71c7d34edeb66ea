-- Item counts for `personalizer cooccur --pairs PAIRS.csv --items ITEMS.csv --basket-count N`,
-- from the JSON Lines `exportEvents` sends (one purchase = one basket; an item counts once
-- per basket). DuckDB as written; on BigQuery use `FROM events, UNNEST(items) AS i` and
-- `i.item_id`; on Spark SQL `LATERAL VIEW explode(items)`.
WITH purchases AS (
  SELECT "user" || '/' || record AS basket, unnest(items).item_id AS item
  FROM read_json_auto(:events)
  WHERE type = 'purchase'
), baskets AS (
  SELECT DISTINCT basket, trim(item) AS item FROM purchases WHERE item IS NOT NULL AND trim(item) <> ''
)
SELECT item, count(*) AS n FROM baskets GROUP BY item ORDER BY item;
