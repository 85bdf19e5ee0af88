-- Timeline search folds katakana into hiragana (server/src/text/search-form.ts): the stored
-- search text is brought to the same form. The characters are ァ..ヶ ヽヾ and ぁ..ゖ ゝゞ.
UPDATE timeline_items SET search_text = translate(search_text,
  'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶヽヾ',
  'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖゝゞ')
 WHERE search_text ~ '[ァ-ヶヽヾ]';
