export async function exportCommand(_a: string[]) { return 0; }
