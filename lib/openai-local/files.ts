import { randomBytes } from 'node:crypto';
import { invalidRequest, invalidValue, missingParameter } from './errors';

/** The Batch API's limit on an input file (https://platform.openai.com/docs/guides/batch): 200 MB. */
export const BATCH_FILE_MAX_BYTES = 200 * 1024 * 1024;

// Every purpose the Files API knows; the local server stores only `batch` uploads (and writes batch outputs).
const PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;

interface StoredFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: 'batch' | 'batch_output';
  status: 'processed';
  status_details: null;
  content: Buffer;
}

type FileObject = Omit<StoredFile, 'content'>;

export const now = () => Math.floor(Date.now() / 1000);
export const objectId = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

function noSuchFile(id: string) {
  return invalidRequest(`No such File object: ${id}`, 'id', null, 404);
}

/** Files kept in memory: the uploads a batch reads and the output and error files it writes. */
export class FileStore {
  private files = new Map<string, StoredFile>();

  constructor(readonly maxBytes = BATCH_FILE_MAX_BYTES) {}

  add(content: Buffer, filename: string, purpose: StoredFile['purpose']): FileObject {
    const file: StoredFile = {
      id: objectId('file-'),
      object: 'file',
      bytes: content.length,
      created_at: now(),
      expires_at: null,
      filename,
      purpose,
      status: 'processed',
      status_details: null,
      content,
    };
    this.files.set(file.id, file);
    return describe(file);
  }

  get(id: string): StoredFile {
    const file = this.files.get(id);
    if (!file) throw noSuchFile(id);
    return file;
  }

  /** POST /v1/files: multipart `file` and `purpose`, checked in the order the API reports problems. */
  async upload(form: FormData): Promise<FileObject> {
    const purpose = form.get('purpose');
    const file = form.get('file');
    if (file === null) throw missingParameter('file');
    if (typeof file === 'string')
      throw invalidRequest("Invalid 'file': expected a file upload, but got a string instead.", 'file', 'invalid_type');
    if (purpose === null || purpose === '') throw missingParameter('purpose');
    if (typeof purpose !== 'string' || !(PURPOSES as readonly string[]).includes(purpose)) throw invalidValue('purpose', purpose, PURPOSES);
    if (purpose !== 'batch') {
      throw invalidRequest(
        `The local OpenAI-compatible server stores files for the Batch API only: purpose '${purpose}' is not supported here, use 'batch'.`,
        'purpose',
        'unsupported_value',
      );
    }
    if (file.size > this.maxBytes) {
      // The API's words ("File is too large."), with the numbers a person needs to split the file.
      throw invalidRequest(
        `File is too large. A file with purpose 'batch' may be at most ${this.maxBytes} bytes; '${file.name}' is ${file.size} bytes.`,
        'file',
        'file_too_large',
      );
    }
    return this.add(Buffer.from(await file.arrayBuffer()), file.name || 'upload.jsonl', 'batch');
  }

  retrieve(id: string): FileObject {
    return describe(this.get(id));
  }

  delete(id: string) {
    this.get(id);
    this.files.delete(id);
    return { id, object: 'file', deleted: true };
  }

  /** GET /v1/files, newest first, optionally one `purpose`. */
  list(purpose: string | null) {
    const data = [...this.files.values()]
      .filter((file) => purpose === null || file.purpose === purpose)
      .map(describe)
      .reverse();
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false };
  }
}

function describe(file: StoredFile): FileObject {
  const { content: _content, ...rest } = file;
  void _content;
  return rest;
}
