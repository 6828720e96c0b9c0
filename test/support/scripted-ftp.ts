/**
 * A scripted FTP server on loopback, for active-mode behaviour real vsftpd cannot be made to show: a
 * server that refuses `EPRT` (so the client falls back to `PORT`), one that never connects back, and
 * an intruder that connects to the client's data port from another loopback address (127.0.0.2)
 * before the server does. It answers just enough of a basic-ftp login and records every command.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface ScriptedFtpOptions {
  /** Reply to `EPRT` with 502 (not implemented). @default false */
  readonly refuseEprt?: boolean;
  /** After `STOR`: `"connect"` back and take the upload, or stay `"silent"`. @default "connect" */
  readonly onStore?: "connect" | "silent";
  /** Reply `150` before connecting back (RFC 959: "about to open data connection"), not after. @default false */
  readonly replyBeforeConnect?: boolean;
  /** Before connecting back, connect to the data port from 127.0.0.2 and record whether it was refused. @default false */
  readonly intruder?: boolean;
}

export interface ScriptedFtp {
  readonly port: number;
  /** Every command received, in order. */
  readonly commands: string[];
  /** The bytes of each upload taken. */
  readonly uploads: Buffer[];
  /** Per intruder connection: true when the client closed it without sending or waiting for data. */
  readonly intruderRefused: boolean[];
  /** The data port the last `EPRT`/`PORT` named. */
  lastDataPort(): number | undefined;
  stop(): Promise<void>;
}

export async function startScriptedFtp(options: ScriptedFtpOptions = {}): Promise<ScriptedFtp> {
  const commands: string[] = [];
  const uploads: Buffer[] = [];
  const intruderRefused: boolean[] = [];
  const sockets = new Set<Socket>();
  let dataPort: number | undefined;

  const server: Server = createServer((control) => {
    sockets.add(control);
    control.on("close", () => sockets.delete(control));
    control.on("error", () => control.destroy());
    const reply = (line: string) => control.write(`${line}\r\n`);
    reply("220 scripted");
    let buffered = "";
    control.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      let end: number;
      while ((end = buffered.indexOf("\r\n")) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        commands.push(line);
        void answer(line, reply).catch(() => control.destroy());
      }
    });
  });

  async function answer(line: string, reply: (line: string) => void): Promise<void> {
    const [verb = "", arg = ""] = [line.split(" ")[0]!.toUpperCase(), line.slice(line.indexOf(" ") + 1)];
    switch (verb) {
      case "USER":
        return reply("331 password please");
      case "PASS":
        return reply("230 logged in");
      case "FEAT":
        return reply("211 End");
      case "EPRT":
        if (options.refuseEprt) return reply("502 EPRT not implemented");
        dataPort = Number(arg.split("|")[3]);
        return reply("200 EPRT ok");
      case "PORT": {
        const parts = arg.split(",").map(Number);
        dataPort = parts[4]! * 256 + parts[5]!;
        return reply("200 PORT ok");
      }
      case "STOR":
        if (options.onStore === "silent") return;
        if (options.intruder) intruderRefused.push(await intrude(dataPort!));
        uploads.push(await takeUpload(dataPort!, reply));
        return reply("226 done");
      case "QUIT":
        return reply("221 bye");
      default:
        return reply("200 ok");
    }
  }

  async function takeUpload(port: number, reply: (line: string) => void): Promise<Buffer> {
    if (options.replyBeforeConnect) reply("150 about to open data connection");
    const data = connect({ port, host: "127.0.0.1" });
    sockets.add(data);
    await new Promise<void>((resolve, reject) => data.once("connect", resolve).once("error", reject));
    if (!options.replyBeforeConnect) reply("150 send it");
    const chunks: Buffer[] = [];
    for await (const chunk of data) chunks.push(chunk as Buffer);
    sockets.delete(data);
    return Buffer.concat(chunks);
  }

  /** True when the client closes a connection from 127.0.0.2 (or never accepts it). */
  function intrude(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const s = connect({ port, host: "127.0.0.1", localAddress: "127.0.0.2" });
      s.once("error", () => resolve(true));
      s.once("data", () => (s.destroy(), resolve(false)));
      s.once("close", () => resolve(true));
      s.resume();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    commands,
    uploads,
    intruderRefused,
    lastDataPort: () => dataPort,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
