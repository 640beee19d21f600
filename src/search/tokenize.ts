/**
 * The one tokeniser behind the index's terms, the BM25 statistics stored in an index and the benchmark
 * baseline: they must agree term for term, so an index records TOKENIZER_VERSION and refuses to
 * load under a different one.
 */
export const TOKENIZER_VERSION = 1;

/** Terms longer than this are noise (URLs, base64) and would bloat the vocabulary. */
const MAX_TERM_LENGTH = 40;

// Function words carry no retrieval signal but, kept, they make every query's postings and
// the vocabulary much larger. A short English list in the spirit of Lucene's and NLTK's.
const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by did do does for from had has have he her hers him his ' +
    'how i if in into is it its me my no nor not of on or our she so such than that the their them ' +
    'then there these they this those to was we were what when where which while who whom whose ' +
    'why will with would you your also can could may might shall should about after before between ' +
    'both each few more most other some any all am over under again further once only own same ' +
    'too very s t just don now'
  ).split(' '),
);

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_WORD = /[^\p{L}\p{N}]+/u;
// Most text is ASCII: there folding is only lower-casing and words are [a-z0-9], the same terms
// the Unicode path gives, several times faster (index builds tokenise millions of passages).
const ASCII = /^[\u0000-\u007f]*$/; // eslint-disable-line no-control-regex -- the ASCII range by definition
const NON_WORD_ASCII = /[^a-z0-9]+/;

/** Lower-cased, accent-folded word terms without stopwords, in text order (duplicates kept). */
export function tokenize(text: string): string[] {
  const ascii = ASCII.test(text);
  const folded = ascii
    ? text.toLowerCase()
    : text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
  const terms: string[] = [];
  for (const raw of folded.split(ascii ? NON_WORD_ASCII : NON_WORD)) {
    if (raw.length === 0 || raw.length > MAX_TERM_LENGTH || STOPWORDS.has(raw)) continue;
    terms.push(raw);
  }
  return terms;
}
