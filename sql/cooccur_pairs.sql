-- Pair counts (item_a < item_b) for `personalizer cooccur --pairs`; see cooccur_items.sql.
WITH purchases AS (
  SELECT "user" || '/' || record AS basket, unnest(items).item_id AS item
  FROM read_json_auto(:events)
  WHERE type = 'purchase'
), baskets AS (
  SELECT DISTINCT basket, trim(item) AS item FROM purchases WHERE item IS NOT NULL AND trim(item) <> ''
)
SELECT a.item AS item_a, b.item AS item_b, count(*) AS n
FROM baskets a JOIN baskets b ON a.basket = b.basket AND a.item < b.item
GROUP BY a.item, b.item ORDER BY a.item, b.item;
