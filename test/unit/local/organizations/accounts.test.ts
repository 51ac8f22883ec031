import {
  AccountNotFoundException,
  DestinationParentNotFoundException,
  DuplicateAccountException,
  InvalidInputException,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  MoveAccountCommand,
  ParentNotFoundException,
  SourceParentNotFoundException,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
} from '@aws-sdk/client-organizations';
import { LocalOrganization } from '../../../../local/stand-ins/organizations/organization-state';
import { DENY_LEAVE, MANAGEMENT_ACCOUNT, PROD_ACCOUNT, PROD_OU, ROOT, SANDBOX_ACCOUNT, SANDBOX_OU, sdkErrorOf, startHarness, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  await h.stop();
});

const parentOf = async (childId: string): Promise<string | undefined> =>
  (await h.client.send(new ListParentsCommand({ ChildId: childId }))).Parents?.[0]?.Id;

/** One root, `ous` OUs under it and `accounts` accounts in the first OU, FullAWSAccess everywhere. */
function wideOrganization(ous: number, accounts: number): LocalOrganization {
  const ouIds = Array.from({ length: ous }, (_, i) => `ou-ab12-${String(i).padStart(8, '0')}`);
  const accountIds = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
  return LocalOrganization.fromJson({
    rootId: ROOT,
    managementAccountId: MANAGEMENT_ACCOUNT,
    organizationalUnits: ouIds.map((id, i) => ({ id, name: `ou-${i}`, parentId: ROOT })),
    accounts: [{ id: MANAGEMENT_ACCOUNT, name: 'management', parentId: ROOT }, ...accountIds.map((id, i) => ({ id, name: `account-${i}`, parentId: ouIds[0] }))],
    policies: [
      {
        id: 'p-FullAWSAccess',
        name: 'FullAWSAccess',
        type: 'SERVICE_CONTROL_POLICY',
        awsManaged: true,
        content: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        targets: [ROOT, ...ouIds, MANAGEMENT_ACCOUNT, ...accountIds],
      },
    ],
  });
}

describe('MoveAccount', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('moves an account to another OU, as ListParents then shows', async () => {
    await h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: PROD_OU, DestinationParentId: SANDBOX_OU }));

    expect(await parentOf(PROD_ACCOUNT)).toBe(SANDBOX_OU);
  });

  it('keeps the account its own attachments; what it inherited stays with the OU it left', async () => {
    await h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: PROD_OU, DestinationParentId: SANDBOX_OU }));

    expect(h.org.isAttached('p-FullAWSAccess', PROD_ACCOUNT)).toBe(true);
    expect(h.org.isAttached(DENY_LEAVE, PROD_OU)).toBe(true);
  });

  it('moves the account back with the source and destination swapped', async () => {
    await h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: PROD_OU, DestinationParentId: ROOT }));

    await h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: ROOT, DestinationParentId: PROD_OU }));

    expect(await parentOf(PROD_ACCOUNT)).toBe(PROD_OU);
  });

  it('answers a source that is not the account parent with SourceParentNotFoundException and moves nothing', async () => {
    const error = await sdkErrorOf(h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: ROOT, DestinationParentId: SANDBOX_OU })));

    expect(error).toBeInstanceOf(SourceParentNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await parentOf(PROD_ACCOUNT)).toBe(PROD_OU);
  });

  it('answers a source that does not exist with SourceParentNotFoundException', async () => {
    const error = await sdkErrorOf(
      h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: 'ou-ab12-99999999', DestinationParentId: SANDBOX_OU })),
    );

    expect(error).toBeInstanceOf(SourceParentNotFoundException);
  });

  it('answers a destination that does not exist with DestinationParentNotFoundException', async () => {
    const error = await sdkErrorOf(
      h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: PROD_OU, DestinationParentId: 'ou-ab12-99999999' })),
    );

    expect(error).toBeInstanceOf(DestinationParentNotFoundException);
    expect(await parentOf(PROD_ACCOUNT)).toBe(PROD_OU);
  });

  it('answers an account that does not exist with AccountNotFoundException', async () => {
    const error = await sdkErrorOf(h.client.send(new MoveAccountCommand({ AccountId: '999999999999', SourceParentId: PROD_OU, DestinationParentId: SANDBOX_OU })));

    expect(error).toBeInstanceOf(AccountNotFoundException);
  });

  it('answers a move to where the account already is with DuplicateAccountException', async () => {
    const error = await sdkErrorOf(h.client.send(new MoveAccountCommand({ AccountId: SANDBOX_ACCOUNT, SourceParentId: SANDBOX_OU, DestinationParentId: SANDBOX_OU })));

    expect(error).toBeInstanceOf(DuplicateAccountException);
  });

  it('answers malformed ids with InvalidInputException INVALID_PATTERN', async () => {
    const badAccount = await sdkErrorOf(h.client.send(new MoveAccountCommand({ AccountId: 'prod', SourceParentId: PROD_OU, DestinationParentId: SANDBOX_OU })));
    const badParent = await sdkErrorOf(h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: PROD_OU, DestinationParentId: 'sandbox' })));

    expect((badAccount as InvalidInputException).Reason).toBe('INVALID_PATTERN');
    expect((badParent as InvalidInputException).Reason).toBe('INVALID_PATTERN');
  });
});

describe('ListAccountsForParent and ListOrganizationalUnitsForParent', () => {
  it('lists the accounts directly in a parent with what DescribeAccount answers of them', async () => {
    h = await startHarness();

    const { Accounts } = await h.client.send(new ListAccountsForParentCommand({ ParentId: SANDBOX_OU }));

    expect(Accounts).toEqual([
      expect.objectContaining({
        Id: SANDBOX_ACCOUNT,
        Name: 'sandbox-dev',
        Email: 'sandbox-dev@example.com',
        Status: 'ACTIVE',
        Paths: [`o-ab12000000/${ROOT}/${SANDBOX_OU}/${SANDBOX_ACCOUNT}/`],
        JoinedTimestamp: new Date('2020-01-01T00:00:00Z'),
      }),
    ]);
  });

  it('lists the OUs directly in the root with their ARN and path', async () => {
    h = await startHarness();

    const { OrganizationalUnits } = await h.client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ROOT }));

    expect(OrganizationalUnits).toEqual([
      { Id: PROD_OU, Name: 'Prod', Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:ou/o-ab12000000/${PROD_OU}`, Path: `o-ab12000000/${ROOT}/${PROD_OU}/` },
      { Id: SANDBOX_OU, Name: 'Sandbox', Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:ou/o-ab12000000/${SANDBOX_OU}`, Path: `o-ab12000000/${ROOT}/${SANDBOX_OU}/` },
    ]);
  });

  it('lists an account moved into a parent there, and no longer where it was', async () => {
    h = await startHarness();
    await h.client.send(new MoveAccountCommand({ AccountId: PROD_ACCOUNT, SourceParentId: PROD_OU, DestinationParentId: SANDBOX_OU }));

    const inSandbox = await h.client.send(new ListAccountsForParentCommand({ ParentId: SANDBOX_OU }));
    const inProd = await h.client.send(new ListAccountsForParentCommand({ ParentId: PROD_OU }));

    expect(inSandbox.Accounts?.map((a) => a.Id)).toEqual([PROD_ACCOUNT, SANDBOX_ACCOUNT]);
    expect(inProd.Accounts).toEqual([]);
  });

  it('answers an unknown parent with ParentNotFoundException and a malformed one with INVALID_PATTERN', async () => {
    h = await startHarness();

    const unknown = await sdkErrorOf(h.client.send(new ListAccountsForParentCommand({ ParentId: 'ou-ab12-99999999' })));
    const malformed = await sdkErrorOf(h.client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: PROD_ACCOUNT })));

    expect(unknown).toBeInstanceOf(ParentNotFoundException);
    expect((malformed as InvalidInputException).Reason).toBe('INVALID_PATTERN');
  });

  it("pages 45 accounts by 20 with the SDK's paginator, every account once", async () => {
    h = await startHarness({}, {}, wideOrganization(1, 45));
    const accounts: Account[] = [];
    let pages = 0;

    for await (const page of paginateListAccountsForParent({ client: h.client }, { ParentId: 'ou-ab12-00000000' })) {
      pages += 1;
      accounts.push(...(page.Accounts ?? []));
    }

    expect(pages).toBe(3);
    expect(new Set(accounts.map((a) => a.Id)).size).toBe(45);
  });

  it('pages OUs through empty pages that carry a NextToken, as Organizations may answer', async () => {
    h = await startHarness({ emptyPages: true }, {}, wideOrganization(12, 0));
    const ids: string[] = [];

    for await (const page of paginateListOrganizationalUnitsForParent({ client: h.client, pageSize: 5 }, { ParentId: ROOT })) {
      ids.push(...(page.OrganizationalUnits ?? []).map((ou) => ou.Id ?? ''));
    }

    expect(ids).toHaveLength(12);
  });

  it('refuses a NextToken from another parent with InvalidInputException INVALID_NEXT_TOKEN', async () => {
    h = await startHarness({}, {}, wideOrganization(2, 3));
    const { NextToken } = await h.client.send(new ListAccountsForParentCommand({ ParentId: 'ou-ab12-00000000', MaxResults: 1 }));

    const error = await sdkErrorOf(h.client.send(new ListAccountsForParentCommand({ ParentId: 'ou-ab12-00000001', NextToken })));

    expect((error as InvalidInputException).Reason).toBe('INVALID_NEXT_TOKEN');
  });
});

describe('ListChildren', () => {
  it('lists the OUs and the accounts of a parent by ChildType', async () => {
    h = await startHarness();

    const ous = await h.client.send(new ListChildrenCommand({ ParentId: ROOT, ChildType: 'ORGANIZATIONAL_UNIT' }));
    const accounts = await h.client.send(new ListChildrenCommand({ ParentId: ROOT, ChildType: 'ACCOUNT' }));

    expect(ous.Children).toEqual([
      { Id: PROD_OU, Type: 'ORGANIZATIONAL_UNIT' },
      { Id: SANDBOX_OU, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect(accounts.Children).toEqual([{ Id: MANAGEMENT_ACCOUNT, Type: 'ACCOUNT' }]);
  });

  it('answers an unknown ChildType with InvalidInputException INVALID_ENUM and an unknown parent with ParentNotFoundException', async () => {
    h = await startHarness();

    const badType = await sdkErrorOf(h.client.send(new ListChildrenCommand({ ParentId: ROOT, ChildType: 'POLICY' as never })));
    const unknown = await sdkErrorOf(h.client.send(new ListChildrenCommand({ ParentId: 'ou-ab12-99999999', ChildType: 'ACCOUNT' })));

    expect((badType as InvalidInputException).Reason).toBe('INVALID_ENUM');
    expect(unknown).toBeInstanceOf(ParentNotFoundException);
  });

  it('pages children by MaxResults, the token good for its own listing only', async () => {
    h = await startHarness({}, {}, wideOrganization(1, 3));

    const first = await h.client.send(new ListChildrenCommand({ ParentId: 'ou-ab12-00000000', ChildType: 'ACCOUNT', MaxResults: 2 }));
    const second = await h.client.send(new ListChildrenCommand({ ParentId: 'ou-ab12-00000000', ChildType: 'ACCOUNT', MaxResults: 2, NextToken: first.NextToken }));
    const foreign = await sdkErrorOf(h.client.send(new ListChildrenCommand({ ParentId: ROOT, ChildType: 'ACCOUNT', NextToken: first.NextToken })));

    expect([first.Children?.length, second.Children?.length, second.NextToken]).toEqual([2, 1, undefined]);
    expect((foreign as InvalidInputException).Reason).toBe('INVALID_NEXT_TOKEN');
  });
});
