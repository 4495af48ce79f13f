// Counts and articles in words, the same in the console, the CLI and the reports: "1 frame",
// "1,234 frames", "an Artillery load test", "a k6 load test".

const count = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return count.format(n);
}

/** Singular or plural: plural(1, 'frame') → "1 frame", plural(3, 'frame') → "3 frames". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

/** A word with its indefinite article, by its first sound: "an Artillery", "a k6", "a WebSocket". */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
