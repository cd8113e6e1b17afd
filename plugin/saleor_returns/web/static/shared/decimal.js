// Exact decimal sums for amounts shown before the server confirms them (never floats).

function parse(text) {
  const s = String(text).trim();
  const negative = s.startsWith("-");
  const [whole, frac = ""] = s.replace(/^[-+]/, "").split(".");
  const digits = BigInt(`${whole || "0"}${frac}`);
  return { units: negative ? -digits : digits, scale: frac.length };
}

function scaleUp(value, from, to) {
  return value * 10n ** BigInt(to - from);
}

function render(units, scale) {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale ? `.${digits.slice(-scale)}` : "";
  return `${negative ? "-" : ""}${whole}${frac}`;
}

/** Sum of amount × quantity over [{amount: "11.44", quantity: 2}, …] as a decimal string ("22.88"). */
export function sumTimes(items) {
  const parsed = items.map((i) => ({ ...parse(i.amount), quantity: BigInt(i.quantity) }));
  const scale = Math.max(0, ...parsed.map((p) => p.scale));
  const total = parsed.reduce((acc, p) => acc + scaleUp(p.units, p.scale, scale) * p.quantity, 0n);
  return render(total, scale);
}
