// Finds the phrases of PHRASES in each line of TEXT with mint-filter; writes one line per
// line with hits: line number and the phrases found.
const fs = require('fs');
const readline = require('readline');
const { Mint } = require('mint-filter');

const [phrasesPath, textPath] = process.argv.slice(2);
const phrases = fs.readFileSync(phrasesPath, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
const mint = new Mint(phrases);
const out = fs.createWriteStream(null, { fd: 1 });
const lines = readline.createInterface({ input: fs.createReadStream(textPath, 'utf8'), crlfDelay: Infinity });
let n = 0;
let buffered = [];
lines.on('line', (line) => {
  n += 1;
  const found = mint.filter(line, { replace: false });
  if (found.words.length > 0) {
    buffered.push(`${n}\t${found.words.join(',')}\n`);
    if (buffered.length >= 4096) {
      out.write(buffered.join(''));
      buffered = [];
    }
  }
});
lines.on('close', () => {
  out.write(buffered.join(''));
  out.end();
});
