// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Field } from './Field';
import { Input } from './Input';
import { Select } from './Select';

afterEach(cleanup);

describe('Field', () => {
  it('ties its label to a control that has no id of its own', () => {
    render(
      <>
        <Field label="Dataset">
          <Select defaultValue="2">
            <option value="1">one</option>
            <option value="2">two</option>
          </Select>
        </Field>
        <Field label="Family">
          <Input />
        </Field>
      </>,
    );
    const select = screen.getByLabelText('Dataset');
    expect(select.tagName).toBe('SELECT');
    expect((select as HTMLSelectElement).value).toBe('2');
    const input = screen.getByLabelText('Family');
    expect(input.tagName).toBe('INPUT');
    // Two fields, two ids: one label never names the other's control.
    expect(select.id).not.toBe(input.id);
  });

  it("keeps the control's own id (other code may point at it)", () => {
    render(
      <Field label="Format">
        <Select id="export-format">
          <option>jsonl</option>
        </Select>
      </Field>,
    );
    expect(screen.getByLabelText('Format').id).toBe('export-format');
  });
});
