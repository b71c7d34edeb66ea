-- The number of baskets, for --basket-count; see cooccur_items.sql.
WITH purchases AS (
  SELECT "user" || '/' || record AS basket, unnest(items).item_id AS item
  FROM read_json_auto(:events)
  WHERE type = 'purchase'
)
SELECT count(DISTINCT basket) AS baskets FROM purchases WHERE item IS NOT NULL AND trim(item) <> '';
