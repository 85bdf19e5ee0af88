/**
 * A stand-in for /dev/serial/by-id: a directory of stable names (symlinks such as
 * usb-Contec_CMS50D+_0001-if00-port0) pointing at the pty each simulated device is on.
 * Unplug removes the link and closes the pty; replug opens a new pty (usually another
 * /dev/pts number, like a device moved to another USB port) and links the same name to it.
 */
import { mkdtemp, rename, rm, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatedSerialDevice } from './devices.ts';
import { PtyLink } from './pty.ts';

interface Plugged {
  device: SimulatedSerialDevice;
  link: PtyLink | null;
}

export class SerialByIdDirectory {
  private readonly devices = new Map<string, Plugged>();

  private constructor(readonly dir: string) {}

  static async create(): Promise<SerialByIdDirectory> {
    return new SerialByIdDirectory(await mkdtemp(join(tmpdir(), 'vitals-serial-by-id-')));
  }

  /** Plugs `device` in under the stable `name`; resolves with its pty. */
  async plug(name: string, device: SimulatedSerialDevice): Promise<PtyLink> {
    if (this.devices.get(name)?.link) throw new Error(`${name} is already plugged in; unplug it first`);
    const link = await PtyLink.open();
    this.devices.set(name, { device, link });
    device.attach(link);
    await symlink(link.path, join(this.dir, name));
    return link;
  }

  /** Pulls the cable: the name disappears, then the pty closes. */
  async unplug(name: string): Promise<void> {
    const plugged = this.devices.get(name);
    if (!plugged?.link) throw new Error(`${name} is not plugged in`);
    await unlink(join(this.dir, name)).catch(() => {});
    plugged.device.detach();
    await plugged.link.close();
    plugged.link = null;
  }

  /** Plugs the same device in again, on a new pty. */
  async replug(name: string): Promise<PtyLink> {
    const plugged = this.devices.get(name);
    if (!plugged) throw new Error(`${name} was never plugged in`);
    if (plugged.link) await this.unplug(name);
    return this.plug(name, plugged.device);
  }

  /**
   * Moves the device to another port without a gap in the name: a new pty is opened (so its
   * path differs from the old one), the name is re-pointed atomically, then the old pty closes.
   */
  async move(name: string): Promise<PtyLink> {
    const plugged = this.devices.get(name);
    if (!plugged?.link) throw new Error(`${name} is not plugged in`);
    const old = plugged.link;
    const link = await PtyLink.open();
    const tmp = join(this.dir, `.${name}.moving`);
    await symlink(link.path, tmp);
    await rename(tmp, join(this.dir, name));
    plugged.device.detach();
    plugged.link = link;
    plugged.device.attach(link);
    await old.close();
    return link;
  }

  linkOf(name: string): PtyLink | null {
    return this.devices.get(name)?.link ?? null;
  }

  /** Unplugs everything and removes the directory. */
  async close(): Promise<void> {
    for (const [name, p] of this.devices) if (p.link) await this.unplug(name);
    await rm(this.dir, { recursive: true, force: true });
  }
}
