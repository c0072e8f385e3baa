using Nachos.Host.Cli;
using Nachos.Host.Commands;

return await Invocation.Run(NachosCli.Create(args), args);
