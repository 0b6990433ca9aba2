import { hueOf, initials } from '../lib/format.js';
import { Icon } from './Icon.js';

export function Avatar({ id, name, group, size = 40 }: { id: string; name: string; group?: boolean; size?: number }) {
  return (
    <span className="avatar" style={{ width: size, height: size, ['--hue' as string]: hueOf(id) }} aria-hidden="true">
      {group ? <Icon name="group" size={size * 0.5} /> : initials(name)}
    </span>
  );
}
