import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors.ts';
import { csvRowSource } from './csv-rows.ts';
import type { SubmitRow } from './submit-rows.ts';

const spec = {
  identifierKinds: ['iccid', 'msisdn', 'eid'] as const,
  perDeviceFields: ['ContactName', 'Request.ICCID'],
};

async function rows(text: string | Buffer): Promise<SubmitRow[]> {
  const out: SubmitRow[] = [];
  for await (const row of csvRowSource(Readable.from([Buffer.from(text)]))(spec)) out.push(row);
  return out;
}

describe('CSV rows', () => {
  it('handles a BOM, CRLF, quoted commas/quotes/newlines, blank lines, header case and nested fields', async () => {
    const result = await rows(
      '\uFEFFMSISDN,ICCID,contactname,request.iccid\r\n15550001111,,"a, ""b""\nc",\r\n\r\n,8901,,x\r\n',
    );
    expect(result).toEqual([
      {
        rowNumber: 1,
        identifierKind: 'msisdn',
        identifier: '15550001111',
        fields: { ContactName: 'a, "b"\nc' },
        issues: [],
      },
      {
        rowNumber: 2,
        identifierKind: 'iccid',
        identifier: '8901',
        fields: { Request: { ICCID: 'x' } },
        issues: [],
      },
    ]);
  });

  it("prefers the change type's first identifier kind when a row fills several", async () => {
    const [row] = await rows('msisdn,iccid\n1555,8901\n');
    expect(row).toMatchObject({ identifierKind: 'iccid', identifier: '8901' });
  });

  it('reports rows with a wrong cell count or no identifier as row issues', async () => {
    const result = await rows('iccid,ContactName\n8901,a,extra\n,b\n');
    expect(result[0]?.issues[0]).toMatchObject({ row: 1, field: 'row' });
    expect(result[1]?.issues[0]).toMatchObject({ row: 2, field: 'identifier' });
  });

  it('refuses unknown, repeated or empty header columns, an unusable identifier and an empty file', async () => {
    await expect(rows('iccid,Colour\n1,2\n')).rejects.toThrow(
      /CSV column "Colour" is not known; accepted columns: iccid, msisdn, eid, ContactName, Request.ICCID/,
    );
    await expect(rows('iccid,ICCID\n1,2\n')).rejects.toThrow(/repeats column "ICCID"/);
    await expect(rows('iccid,\n1,2\n')).rejects.toThrow(/column 2 is empty/);
    await expect(rows('imei\n1\n')).rejects.toThrow(/names devices by ICCID, MSISDN, EID/);
    await expect(rows('')).rejects.toThrow(ValidationError);
    await expect(rows('\uFEFF\r\n')).rejects.toThrow(/CSV is empty/);
  });

  it('turns a malformed CSV into a validation error naming the line', async () => {
    await expect(rows('iccid,ContactName\n8901,"unterminated\n')).rejects.toThrow(
      /The CSV cannot be read/,
    );
  });
});
