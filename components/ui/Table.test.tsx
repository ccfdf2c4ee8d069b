// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { headerCells, Row, Table } from './Table';

afterEach(cleanup);

describe('headerCells', () => {
  it('drops columns left out, keeps the order, and turns bare headers into columns', () => {
    const datasetId = 3;
    const cells = headerCells([
      'Item',
      !datasetId && 'Dataset',
      '',
      null,
      undefined,
      { header: 'Cost', align: 'right', className: 'w-20' },
      {},
    ]);
    expect(cells.map((c) => c.header)).toEqual(['Item', 'Cost', undefined]);
    expect(cells.map((c) => c.key)).toEqual([0, 1, 2]);
  });

  it('aligns right only the columns that ask, and keeps their own classes', () => {
    const [left, right] = headerCells([
      { header: 'Name', className: 'w-44' },
      { header: 'Items', align: 'right', className: 'pr-4' },
    ]);
    expect(left.cellClass.split(' ')).not.toContain('text-right');
    expect(left.cellClass.split(' ')).toContain('w-44');
    expect(right.cellClass.split(' ')).toEqual(expect.arrayContaining(['text-right', 'pr-4', 'py-2']));
  });
});

describe('Table', () => {
  it('draws one header cell per kept column and the rows under it', () => {
    render(
      <Table testId="jobs-table" fixed columns={['Job', false, { header: 'Cost', align: 'right', title: 'actual or estimate' }, {}]}>
        {[1, 2].map((id) => (
          <Row key={id} data-testid={`job-${id}`}>
            <td>#{id}</td>
            <td>$0.04</td>
            <td />
          </Row>
        ))}
      </Table>,
    );
    const table = screen.getByTestId('jobs-table');
    expect(table.className.split(' ')).toContain('table-fixed');
    const headers = within(table).getAllByRole('columnheader');
    expect(headers.map((th) => th.textContent)).toEqual(['Job', 'Cost', '']);
    expect(headers[1].getAttribute('title')).toBe('actual or estimate');
    // The rows are the body: a test counting `tbody tr` sees the items and not the header.
    expect(table.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(screen.getByTestId('job-2').className).toContain('border-b');
  });
});
