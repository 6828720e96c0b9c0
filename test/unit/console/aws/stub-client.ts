/** A recording stand-in for an SDK v3 client: each `send` is recorded and answered by `answer`. */
export interface SentCommand {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

export function stubClient<C>(answer: (sent: SentCommand, index: number) => unknown): { client: C; sent: SentCommand[] } {
  const sent: SentCommand[] = [];
  const client = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const call = { name: command.constructor.name, input: command.input };
      sent.push(call);
      return Promise.resolve(answer(call, sent.length - 1));
    },
  };
  return { client: client as unknown as C, sent };
}
