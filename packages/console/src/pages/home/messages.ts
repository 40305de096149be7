import { defineMessages } from '../../i18n.tsx';

export const messages = defineMessages({
  zh: {
    title: '苏陕协作平台',
    intro: '江苏、陕西两省民政部门与社会组织在脱贫攻坚中结对协作的项目、资金与签约仪式。本页面的数据均来自本平台，不会向外部发送任何请求。',
    countyTitle: '查看县区',
    countyLabel: '县区代码（6 位）',
    open: '打开',
    examples: '例如：',
  },
  en: {
    title: 'Su–Shaan pairing hub',
    intro: 'Projects, money and signing ceremonies of the Jiangsu–Shaanxi pairing of civil-affairs departments and social organizations in poverty alleviation. Everything on these pages comes from this hub; nothing is requested from elsewhere.',
    countyTitle: 'Look up a county',
    countyLabel: 'County code (6 digits)',
    open: 'Open',
    examples: 'For example:',
  },
});
