/**
 * What the search index holds for an item (alias `item` of items), as SQL. The same expressions
 * are in the trigger of db/migrations/0014_search_current_instruction.sql (search.test.ts checks
 * that both index alike): the item's current instruction, so a reviewer's edit or a rewrite
 * replaces the words the item is found by, and the imported record's input_description when it is
 * a string.
 */
export const instructionsOf = (item: string) =>
  `coalesce((SELECT v.text FROM instruction_versions v WHERE v.id = ${item}.current_instruction_id), '')`;

export const descriptionOf = (item: string) =>
  `CASE WHEN json_valid(${item}.metadata) AND json_type(${item}.metadata, '$.input_description') = 'text'
     THEN json_extract(${item}.metadata, '$.input_description') ELSE '' END`;
