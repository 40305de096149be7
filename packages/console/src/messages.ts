import { defineMessages } from './i18n.tsx';

/** Messages shared by the shell and by several pages; each page keeps its own beside it. */
export const common = defineMessages({
  zh: {
    hubName: '苏陕协作平台',
    hubSubtitle: '江苏—陕西社会组织结对帮扶',
    navAgreement: '协议',
    navPipeline: '项目进展',
    navCeremonies: '签约仪式',
    navFoundations: '基金会',
    navCounties: '县区',
    explorer: 'GraphQL 浏览器',
    language: '语言',
    switchTo: 'English',
    showDemo: '显示演示数据',
    token: '令牌',
    signIn: '登录',
    signOut: '退出',
    signedInAs: '已登录：{role}',
    tokenHelp: '令牌由 npm run token 生成，只保存在本标签页中。',
    notAToken: '这不是平台签发的令牌。',
    loading: '正在加载…',
    errorTitle: '无法加载',
    retry: '重试',
    notFoundTitle: '没有这个页面',
    notFoundText: '这个地址没有页面。请从上方的导航进入。',
    yes: '是',
    no: '否',
    unknown: '未知',
    none: '无',
    yuan: '元',
    mainContent: '主要内容',
    mainNav: '主导航',
  },
  en: {
    hubName: 'Su–Shaan pairing hub',
    hubSubtitle: 'Jiangsu–Shaanxi social-organization pairing',
    navAgreement: 'Agreement',
    navPipeline: 'Pipeline',
    navCeremonies: 'Ceremonies',
    navFoundations: 'Foundations',
    navCounties: 'Counties',
    explorer: 'GraphQL explorer',
    language: 'Language',
    switchTo: '中文',
    showDemo: 'Show demo records',
    token: 'Token',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedInAs: 'Signed in: {role}',
    tokenHelp: 'Tokens come from npm run token and are kept for this tab only.',
    notAToken: 'This is not a token the hub issues.',
    loading: 'Loading…',
    errorTitle: 'Could not load',
    retry: 'Try again',
    notFoundTitle: 'No such page',
    notFoundText: 'There is no page at this address. Use the navigation above.',
    yes: 'Yes',
    no: 'No',
    unknown: 'Unknown',
    none: 'None',
    yuan: 'yuan',
    mainContent: 'Main content',
    mainNav: 'Main navigation',
  },
});

/** The graph's enumerations, named in both languages. */
export const stageNames = defineMessages({
  zh: { PROPOSED: '提出', PUBLISHED: '发布', MATCHED: '对接', SCHEDULED: '排期签约', SIGNED: '已签约', IMPLEMENTING: '实施中', COMPLETED: '已完成', EVALUATED: '已评估', SUSPENDED: '暂停', CANCELLED: '取消' },
  en: { PROPOSED: 'Proposed', PUBLISHED: 'Published', MATCHED: 'Matched', SCHEDULED: 'Scheduled', SIGNED: 'Signed', IMPLEMENTING: 'Implementing', COMPLETED: 'Completed', EVALUATED: 'Evaluated', SUSPENDED: 'Suspended', CANCELLED: 'Cancelled' },
});

export const fieldNames = defineMessages({
  zh: { LIVELIHOOD: '民生', INDUSTRY: '产业', TECHNOLOGY_AND_CULTURE: '科技文化', TALENT: '人才', EDUCATION: '教育', MEDICAL_AID: '医疗救助', INFRASTRUCTURE: '基础设施', CHILD_WELFARE: '儿童福利', DISABILITY: '助残', OTHER: '其他' },
  en: { LIVELIHOOD: 'Livelihood', INDUSTRY: 'Industry', TECHNOLOGY_AND_CULTURE: 'Technology and culture', TALENT: 'Talent', EDUCATION: 'Education', MEDICAL_AID: 'Medical aid', INFRASTRUCTURE: 'Infrastructure', CHILD_WELFARE: 'Child welfare', DISABILITY: 'Disability', OTHER: 'Other' },
});

export const organizationKindNames = defineMessages({
  zh: { GOVERNMENT_OFFICE: '政府部门', ASSOCIATION: '社会团体', FOUNDATION: '基金会', SOCIAL_SERVICE_INSTITUTION: '社会服务机构', VOLUNTEER_GROUP: '志愿团体', OTHER: '其他' },
  en: { GOVERNMENT_OFFICE: 'Government office', ASSOCIATION: 'Association', FOUNDATION: 'Foundation', SOCIAL_SERVICE_INSTITUTION: 'Social service institution', VOLUNTEER_GROUP: 'Volunteer group', OTHER: 'Other' },
});

export const provenanceNames = defineMessages({
  zh: { PUBLIC_RECORD: '公开记录', SYNTHETIC_DEMO: '演示数据', ENTERED: '平台录入' },
  en: { PUBLIC_RECORD: 'Public record', SYNTHETIC_DEMO: 'Demo data', ENTERED: 'Entered' },
});
