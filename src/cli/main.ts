export async function main(argv: string[]): Promise<number> {
  console.log('args', argv.join(' '));
  return 0;
}
