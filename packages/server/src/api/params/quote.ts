// A value as an error message shows it: JSON-quoted (control characters escaped) and cut
// short, so that a megabyte of junk in a parameter does not become a megabyte of error.

const MAX_SHOWN = 80;

export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text);
}
